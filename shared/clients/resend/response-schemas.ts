import * as z from 'zod';

/** The success body of `POST /emails`: the new message's id. */
export const SentMailSchema = z.object({ id: z.string().min(1) });
export type SentMailBody = z.infer<typeof SentMailSchema>;
