import type { TargetSpec } from '../clients/eventbridge';
import { DeadLetterKind, ERRORS_TOLERANCE_ALL, FC_TARGET_TYPE } from './constants';
import type { DeadLetterTarget, Route } from './types';

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
