import * as z from 'zod';

const optionalString = z.string().optional();

/** One per-instance row, as the SDK maps DescribeInvocationResults and DescribeInvocations. */
export const InstanceRowSchema = z.object({
  invokeId: optionalString,
  commandId: optionalString,
  instanceId: z.string({ message: 'a result row has no InstanceId' }),
  invocationStatus: optionalString,
  exitCode: z.number().int().optional(),
  errorCode: optionalString,
  errorInfo: optionalString,
  output: optionalString,
  dropped: z.number().int().nonnegative().optional(),
  startTime: optionalString,
  finishedTime: optionalString,
  finishTime: optionalString,
});
export type InstanceRow = z.infer<typeof InstanceRowSchema>;

/** The DescribeInvocationResults body after the SDK's mapping. */
export const InvocationResultsBodySchema = z.object({
  invocation: z.object({
    invocationResults: z.object({ invocationResult: z.array(InstanceRowSchema).default([]) }).optional(),
    nextToken: optionalString,
  }),
});

/** One task of the DescribeInvocations body after the SDK's mapping. */
export const InvocationRowSchema = z.object({
  invokeId: z.string({ message: 'an invocation has no InvokeId' }),
  commandId: z.string({ message: 'an invocation has no CommandId' }),
  commandName: optionalString,
  invocationStatus: optionalString,
  creationTime: optionalString,
  timeout: z.number().optional(),
  parameters: optionalString,
  invokeInstances: z.object({ invokeInstance: z.array(InstanceRowSchema).default([]) }).optional(),
});

/** The DescribeInvocations body after the SDK's mapping. */
export const InvocationsBodySchema = z.object({
  invocations: z.object({ invocation: z.array(InvocationRowSchema).default([]) }).optional(),
  nextToken: optionalString,
});

/** The RunCommand body after the SDK's mapping. */
export const RunCommandBodySchema = z.object({
  requestId: z.string().default(''),
  commandId: z.string({ message: 'RunCommand answered without a CommandId' }),
  invokeId: z.string({ message: 'RunCommand answered without an InvokeId' }),
});
