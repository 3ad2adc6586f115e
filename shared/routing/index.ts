export { BusName, COMMAND_NAME_PREFIX, DEAD_LETTER_QUEUE, DeadLetterKind, FC_TARGET_TYPE, FunctionName, PushRetryStrategy, ROUTES } from './routes';
export type { DeadLetterTarget, EventPattern, PatternCondition, Route } from './routes';
export { deployRouting, desiredTarget, fcFunctionArn, RoutingDeclarationError } from './deployRouting';
export type { DeployAccount, DeployRoutingOptions, RoutingChange } from './deployRouting';
export { canonicalJson } from './canonicalJson';
