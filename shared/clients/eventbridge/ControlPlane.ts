import * as z from 'zod';
import { formatIssues } from '../../contracts';
import { retry } from '../../retry';
import { EventBridgeRequestError, EventBridgeResponseError, classifyRequestError } from './errors';
import {
  CreateEventBusRequest,
  CreateRuleRequest,
  CreateTargetsRequest,
  DeleteTargetsRequest,
  EBTargetParam,
  ListEventBusesRequest,
  ListRulesRequest,
  TargetEntry,
  UpdateRuleRequest,
} from './sdk';
import type { EventBridgeSdkClient } from './sdk';

/** A target as the deployer wants it and as it reads it back. */
export interface TargetSpec {
  readonly id: string;
  readonly type: string;
  readonly endpoint: string;
  readonly pushRetryStrategy: string;
  readonly paramList: readonly { readonly resourceKey: string; readonly form: string; readonly value?: string }[];
  readonly deadLetterArn?: string;
  readonly errorsTolerance?: string;
}
/** A target as the bus reports it: the same fields, so the deployer can compare them. */
export type RemoteTarget = TargetSpec;

/** A bus that exists. */
export interface RemoteBus {
  readonly name: string;
}

/** A rule that exists. */
export interface RemoteRule {
  readonly name: string;
  readonly status: string;
  readonly filterPattern: string;
  readonly description: string;
}

/**
 * The SDK's TargetEntry (1.3.2) has no DeadLetterQueue or ErrorsTolerance, and its serialiser
 * writes only the fields its model names; this subclass names the two so they reach the API.
 */
class FcTargetEntry extends TargetEntry {
  // `declare`: a class field would be reset to undefined after the model's constructor filled it.
  declare deadLetterQueue?: { Arn: string };
  declare errorsTolerance?: string;

  static override names(): Record<string, string> {
    return { ...TargetEntry.names(), deadLetterQueue: 'DeadLetterQueue', errorsTolerance: 'ErrorsTolerance' };
  }

  static override types(): Record<string, unknown> {
    return {
      ...TargetEntry.types(),
      deadLetterQueue: { type: 'map', keyType: 'string', valueType: 'string' },
      errorsTolerance: 'string',
    };
  }
}

/** One target as `listTargets` returns it, read raw so that DeadLetterQueue is kept. */
const RemoteTargetSchema = z.object({
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
const ListTargetsBodySchema = z.object({ Targets: z.array(RemoteTargetSchema).default([]) });

type Runtime = Parameters<EventBridgeSdkClient['doRequest']>[6];

function toEntry(target: TargetSpec): FcTargetEntry {
  return new FcTargetEntry({
    id: target.id,
    type: target.type,
    endpoint: target.endpoint,
    pushRetryStrategy: target.pushRetryStrategy,
    paramList: target.paramList.map((param) => new EBTargetParam({ ...param })),
    ...(target.deadLetterArn ? { deadLetterQueue: { Arn: target.deadLetterArn } } : {}),
    ...(target.errorsTolerance ? { errorsTolerance: target.errorsTolerance } : {}),
  });
}

/** The EventBridge control-plane calls the routing deployer needs, over the official SDK. */
export class ControlPlane {
  constructor(private readonly client: EventBridgeSdkClient, private readonly maxAttempts = 3) {}

  /** Every bus of the account (paged). */
  async listBuses(): Promise<RemoteBus[]> {
    const buses: RemoteBus[] = [];
    let nextToken: string | undefined;
    do {
      const page = await this.call('listEventBuses', () => this.client.listEventBuses(new ListEventBusesRequest({ limit: 100, ...(nextToken ? { nextToken } : {}) })));
      buses.push(...(page.eventBuses ?? []).map((bus) => ({ name: bus.eventBusName })));
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return buses;
  }

  async createBus(name: string, description: string): Promise<void> {
    await this.call('createEventBus', () => this.client.createEventBus(new CreateEventBusRequest({ eventBusName: name, description })));
  }

  /** Every rule on a bus (paged). */
  async listRules(bus: string): Promise<RemoteRule[]> {
    const rules: RemoteRule[] = [];
    let nextToken: string | undefined;
    do {
      const request = new ListRulesRequest({ eventBusName: bus, limit: 100, ...(nextToken ? { nextToken } : {}) });
      const page = await this.call('listRules', () => this.client.listRules(request));
      for (const rule of page.rules ?? []) {
        rules.push({ name: rule.ruleName, status: rule.status, filterPattern: rule.filterPattern, description: rule.description ?? '' });
      }
      nextToken = page.nextToken || undefined;
    } while (nextToken);
    return rules;
  }

  async createRule(bus: string, rule: Omit<RemoteRule, 'status'>, targets: readonly TargetSpec[]): Promise<void> {
    const request = new CreateRuleRequest({
      eventBusName: bus,
      ruleName: rule.name,
      description: rule.description,
      status: 'ENABLE',
      filterPattern: rule.filterPattern,
    });
    // Assigned after construction: the model's constructor re-wraps items as plain TargetEntry.
    request.targets = targets.map(toEntry);
    await this.call('createRule', () => this.client.createRule(request));
  }

  async updateRule(bus: string, rule: RemoteRule): Promise<void> {
    const request = new UpdateRuleRequest({ eventBusName: bus, ruleName: rule.name, description: rule.description, status: rule.status, filterPattern: rule.filterPattern });
    await this.call('updateRule', () => this.client.updateRule(request));
  }

  /**
   * The targets of a rule. Read through the SDK's own signed `doRequest`, because its typed
   * answer drops DeadLetterQueue and ErrorsTolerance, which the deployer must compare.
   */
  async listTargets(bus: string, rule: string): Promise<RemoteTarget[]> {
    const raw = await this.call('listTargets', () =>
      this.client.doRequest('listTargets', 'HTTP', 'POST', '/openapi/listTargets', {}, { EventBusName: bus, RuleName: rule, Limit: 100 }, {} as Runtime),
    );
    const parsed = ListTargetsBodySchema.safeParse(raw);
    if (!parsed.success) throw new EventBridgeResponseError(`listTargets answered an unexpected shape: ${formatIssues(parsed.error, raw).join('; ')}`);
    return parsed.data.Targets.map((target) => ({
      id: target.Id,
      type: target.Type,
      endpoint: target.Endpoint,
      pushRetryStrategy: target.PushRetryStrategy ?? '',
      paramList: (target.ParamList ?? []).map((param) => ({ resourceKey: param.ResourceKey, form: param.Form, ...(param.Value === undefined ? {} : { value: param.Value }) })),
      ...(target.DeadLetterQueue ? { deadLetterArn: target.DeadLetterQueue.Arn } : {}),
      ...(target.ErrorsTolerance ? { errorsTolerance: target.ErrorsTolerance } : {}),
    }));
  }

  async createTargets(bus: string, rule: string, targets: readonly TargetSpec[]): Promise<void> {
    const request = new CreateTargetsRequest({ eventBusName: bus, ruleName: rule });
    // Assigned after construction: the model's constructor re-wraps items as plain TargetEntry.
    request.targets = targets.map(toEntry);
    const answer = await this.call('createTargets', () => this.client.createTargets(request));
    if ((answer.errorEntriesCount ?? 0) > 0) {
      const reasons = (answer.errorEntries ?? []).map((entry) => `${entry.entryId}: ${entry.errorCode} ${entry.errorMessage}`);
      throw new EventBridgeRequestError(`createTargets refused targets of rule ${rule}: ${reasons.join('; ')}`, { code: 'TargetRefused' });
    }
  }

  async deleteTargets(bus: string, rule: string, ids: readonly string[]): Promise<void> {
    await this.call('deleteTargets', () => this.client.deleteTargets(new DeleteTargetsRequest({ eventBusName: bus, ruleName: rule, targetIds: [...ids] })));
  }

  private call<T>(operation: string, fn: () => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await fn();
        } catch (error) {
          throw classifyRequestError(error, operation);
        }
      },
      { operation, maxAttempts: this.maxAttempts, baseDelayMs: 200, maxDelayMs: 2_000 },
    );
  }
}
