import * as z from 'zod';
import { EventSource, EventType } from './constants';
import { cloudEventOf } from './envelopes';
import { CommandIdSchema, InstanceIdSchema, InvokeIdSchema } from './identifiers';

/** Per-instance final statuses Cloud Assistant reports. */
export const InvocationStatusSchema = z.enum(
  ['Success', 'Failed', 'Timeout', 'Error', 'Invalid', 'Aborted', 'Cancelled', 'Stopped', 'Terminated'],
  { message: 'invocationStatus must be a final Cloud Assistant status' },
);
export type InvocationStatus = z.infer<typeof InvocationStatusSchema>;

/**
 * `data` of `ecs:CloudAssistant:TaskCompleted`. `exitCode` arrives as a string; the documented
 * sample is truncated, so fields beyond the documented ones are kept but not required.
 */
export const TaskCompletedDataSchema = z.looseObject({
  commandId: CommandIdSchema,
  commandName: z.string().optional(),
  instanceId: InstanceIdSchema,
  invokeId: InvokeIdSchema.optional(),
  invocationStatus: InvocationStatusSchema,
  exitCode: z.union(
    [z.number().int(), z.string().regex(/^-?\d+$/u).transform(Number)],
    { message: 'exitCode must be an integer or a string of digits' },
  ),
  finishTime: z.string().optional(),
  startTime: z.string().optional(),
});
export type TaskCompletedData = z.infer<typeof TaskCompletedDataSchema>;

/** `ecs:CloudAssistant:TaskCompleted` as delivered from the default bus to collect-stats. */
export const TaskCompletedEventSchema = cloudEventOf(EventType.TaskCompleted, EventSource.Ecs, TaskCompletedDataSchema);
export type TaskCompletedEvent = z.infer<typeof TaskCompletedEventSchema>;
