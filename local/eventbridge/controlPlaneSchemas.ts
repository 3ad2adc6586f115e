import * as z from 'zod';

const Name = z.string().min(1);

/** A target in a createRule / createTargets body. */
const TargetBodySchema = z.object({
  Id: Name,
  Type: Name,
  Endpoint: Name,
  PushRetryStrategy: z.enum(['BACKOFF_RETRY', 'EXPONENTIAL_DECAY_RETRY']).optional(),
  ErrorsTolerance: z.enum(['ALL', 'NONE']).optional(),
  DeadLetterQueue: z.object({ Arn: Name }).optional(),
  ParamList: z.array(z.object({ ResourceKey: Name, Form: Name, Value: z.string().optional(), Template: z.string().optional() })).optional(),
});

/** Request bodies of the control-plane calls, as the SDK serialises them. */
export const ControlPlaneBodies = {
  createEventBus: z.object({ EventBusName: Name, Description: z.string().default('') }),
  getEventBus: z.object({ EventBusName: Name }),
  deleteEventBus: z.object({ EventBusName: Name }),
  listEventBuses: z.object({ NamePrefix: z.string().optional(), Limit: z.number().int().positive().optional(), NextToken: z.string().optional() }),
  createRule: z.object({
    EventBusName: Name,
    RuleName: Name,
    Description: z.string().default(''),
    Status: z.enum(['ENABLE', 'DISABLE']).default('ENABLE'),
    FilterPattern: z.string().default('{}'),
    Targets: z.array(TargetBodySchema).default([]),
  }),
  rule: z.object({ EventBusName: Name, RuleName: Name }),
  listRules: z.object({ EventBusName: Name, RuleNamePrefix: z.string().optional(), Limit: z.number().int().positive().optional(), NextToken: z.string().optional() }),
  updateRule: z.object({
    EventBusName: Name,
    RuleName: Name,
    Description: z.string().optional(),
    Status: z.enum(['ENABLE', 'DISABLE']).optional(),
    FilterPattern: z.string().optional(),
  }),
  createTargets: z.object({ EventBusName: Name, RuleName: Name, Targets: z.array(TargetBodySchema).min(1) }),
  deleteTargets: z.object({ EventBusName: Name, RuleName: Name, TargetIds: z.array(Name).min(1) }),
  testEventPattern: z.object({ Event: z.string(), EventPattern: z.string() }),
} as const;
