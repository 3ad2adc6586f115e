import * as z from 'zod';

/** What an FC timer trigger delivers: `payload` is the configured string. */
export const TimerEventSchema = z.object({
  triggerTime: z.string().min(1, 'triggerTime is empty'),
  triggerName: z.string().min(1, 'triggerName is empty'),
  payload: z.string().optional(),
});
export type TimerEvent = z.infer<typeof TimerEventSchema>;
