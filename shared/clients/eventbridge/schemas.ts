import * as z from 'zod';

/** One target as `listTargets` returns it, read raw so that DeadLetterQueue is kept. */
export const RemoteTargetSchema = z.object({
  Id: z.string(),
  Type: z.string(),
  Endpoint: z.string(),
  PushRetryStrategy: z.string().optional(),
  ErrorsTolerance: z.string().optional(),
  DeadLetterQueue: z.object({ Arn: z.string() }).optional(),
  ParamList: z
    .array(z.object({ ResourceKey: z.string(), Form: z.string(), Value: z.string().optional(), Template: z.string().optional() }))
    .optional(),
});

/** The raw `listTargets` answer. */
export const ListTargetsBodySchema = z.object({ Targets: z.array(RemoteTargetSchema).default([]) });
