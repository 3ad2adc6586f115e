import type { ControlPlane, RemoteTarget, TargetSpec } from '../clients/eventbridge';
import { PermanentError } from '../errors';
import type { VectorSyncErrorOptions } from '../errors';
import { canonicalJson } from '../values';
import { BusName, DeadLetterKind, ERRORS_TOLERANCE_ALL, FC_TARGET_TYPE, RULE_STATUS_ENABLED, ROUTES } from './routes';
import type { DeadLetterTarget, Route } from './routes';

/** The routing declaration is inconsistent (e.g. two routes claim the same rule). */
export class RoutingDeclarationError extends PermanentError {
  constructor(message: string, options: VectorSyncErrorOptions = {}) {
    super(message, { code: 'RoutingDeclarationInvalid', ...options });
  }
}

/** The account and region the rules are deployed into. */
export interface DeployAccount {
  readonly region: string;
  readonly accountId: string;
  /** Prepended to every function name of the declaration (s.yaml's `functionPrefix`); none locally. */
  readonly functionPrefix?: string;
}

/** The FC 3.0 function ARN EventBridge takes as a target endpoint (no service in FC 3.0). */
export function fcFunctionArn(account: DeployAccount, functionName: string): string {
  return `acs:fc:${account.region}:${account.accountId}:functions/${functionName}`;
}

function deadLetterArn(account: DeployAccount, target: DeadLetterTarget): string {
  if (target.kind === DeadLetterKind.Mns) return `acs:mns:${account.region}:${account.accountId}:/queues/${target.name}`;
  return `acs:eventbridge:${account.region}:${account.accountId}:eventbus/${target.name}`;
}

/**
 * The target a route asks for: the whole CloudEvent as the body (`ORIGINAL`), its retry strategy,
 * and `ErrorsTolerance: ALL` so that an exhausted event goes to the dead letter instead of
 * blocking the rule.
 */
export function desiredTarget(route: Route, account: DeployAccount): TargetSpec {
  return {
    id: route.target.id,
    type: FC_TARGET_TYPE,
    endpoint: fcFunctionArn(account, `${account.functionPrefix ?? ''}${route.target.functionName}`),
    pushRetryStrategy: route.target.retryStrategy,
    paramList: [{ resourceKey: 'Body', form: 'ORIGINAL' }],
    deadLetterArn: deadLetterArn(account, route.target.deadLetter),
    errorsTolerance: ERRORS_TOLERANCE_ALL,
  };
}

/** One change the deployer made. */
export type RoutingChange =
  | { readonly kind: 'createBus'; readonly bus: string }
  | { readonly kind: 'createRule'; readonly bus: string; readonly rule: string }
  | { readonly kind: 'updateRule'; readonly bus: string; readonly rule: string; readonly fields: readonly string[] }
  | { readonly kind: 'createTarget' | 'replaceTarget' | 'deleteTarget'; readonly bus: string; readonly rule: string; readonly target: string };

/** Options of a deployment. */
export interface DeployRoutingOptions extends DeployAccount {
  readonly routes?: readonly Route[];
  /**
   * Leave the default bus alone. In the cloud, the default-bus route is collect-stats' fc3
   * eventbridge trigger (s.yaml), which creates that rule itself; the local bus has no fc3, so
   * the local stack deploys every route.
   */
  readonly customBusesOnly?: boolean;
}

function sameTarget(a: TargetSpec, b: RemoteTarget): boolean {
  return canonicalJson({ ...a, paramList: [...a.paramList] }) === canonicalJson({ ...b, paramList: [...b.paramList] });
}

function checkDeclaration(routes: readonly Route[]): void {
  const seen = new Set<string>();
  for (const route of routes) {
    const key = `${route.bus}/${route.rule}`;
    if (seen.has(key)) throw new RoutingDeclarationError(`rule ${key} is declared twice`);
    seen.add(key);
  }
}

/**
 * Makes EventBridge hold exactly the declared routing: creates the custom buses, creates each
 * rule with its FC target, updates a rule whose pattern, description or status drifted, and
 * replaces a target that differs. Idempotent: a second run returns no changes. Rules that are
 * not declared are left alone (they may belong to someone else).
 */
export async function deployRouting(control: ControlPlane, options: DeployRoutingOptions): Promise<RoutingChange[]> {
  const declared = options.routes ?? ROUTES;
  checkDeclaration(declared);
  const routes = options.customBusesOnly === true ? declared.filter((route) => route.bus !== BusName.Default) : declared;
  const changes: RoutingChange[] = [];
  const buses = new Set((await control.listBuses()).map((bus) => bus.name));
  for (const bus of new Set(routes.map((route) => route.bus))) {
    if (bus === BusName.Default || buses.has(bus)) continue;
    await control.createBus(bus, 'oss-vector-sync pipeline events');
    changes.push({ kind: 'createBus', bus });
  }
  const rulesByBus = new Map<string, Awaited<ReturnType<ControlPlane['listRules']>>>();
  for (const route of routes) {
    const existingRules = rulesByBus.get(route.bus) ?? (await control.listRules(route.bus));
    rulesByBus.set(route.bus, existingRules);
    const target = desiredTarget(route, options);
    const wanted = { name: route.rule, description: route.description, filterPattern: JSON.stringify(route.pattern), status: RULE_STATUS_ENABLED };
    const existing = existingRules.find((rule) => rule.name === route.rule);
    if (!existing) {
      await control.createRule(route.bus, wanted, [target]);
      changes.push({ kind: 'createRule', bus: route.bus, rule: route.rule });
      continue;
    }
    const fields: string[] = [];
    if (canonicalJson(JSON.parse(existing.filterPattern || '{}')) !== canonicalJson(route.pattern)) fields.push('filterPattern');
    if (existing.description !== wanted.description) fields.push('description');
    if (existing.status !== wanted.status) fields.push('status');
    if (fields.length > 0) {
      await control.updateRule(route.bus, wanted);
      changes.push({ kind: 'updateRule', bus: route.bus, rule: route.rule, fields });
    }
    changes.push(...(await syncTargets(control, route, target)));
  }
  return changes;
}

async function syncTargets(control: ControlPlane, route: Route, target: TargetSpec): Promise<RoutingChange[]> {
  const changes: RoutingChange[] = [];
  const remote = await control.listTargets(route.bus, route.rule);
  const stale = remote.filter((candidate) => candidate.id !== target.id).map((candidate) => candidate.id);
  if (stale.length > 0) {
    await control.deleteTargets(route.bus, route.rule, stale);
    for (const id of stale) changes.push({ kind: 'deleteTarget', bus: route.bus, rule: route.rule, target: id });
  }
  const current = remote.find((candidate) => candidate.id === target.id);
  if (current && sameTarget(target, current)) return changes;
  // Whether createTargets overwrites an existing id is not documented, so a changed target is
  // removed first; that is correct whether or not the API upserts.
  if (current) await control.deleteTargets(route.bus, route.rule, [target.id]);
  await control.createTargets(route.bus, route.rule, [target]);
  changes.push({ kind: current ? 'replaceTarget' : 'createTarget', bus: route.bus, rule: route.rule, target: target.id });
  return changes;
}
