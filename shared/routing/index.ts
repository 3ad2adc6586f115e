export { ROUTES, COMMAND_NAME_PREFIX, DEAD_LETTER_QUEUE } from './routes';
export { BusName, FunctionName, PushRetryStrategy, DeadLetterKind, FC_TARGET_TYPE } from './constants';
export type { DeadLetterTarget, EventPattern, PatternCondition, Route } from './types';
export { deployRouting } from './deployRouting';
export type { DeployRoutingOptions, RoutingChange } from './deployRouting';
export { desiredTarget, fcFunctionArn } from './desiredTarget';
export type { DeployAccount } from './desiredTarget';
export { canonicalJson } from './canonicalJson';
export { RoutingDeclarationError } from './errors';
