export { BusName, COMMAND_NAME_PREFIX, DEAD_LETTER_QUEUE, FunctionName, PushRetryStrategy, ROUTES, routesInto } from './routes';
export type { DeadLetterTarget, EventPattern, PatternCondition, Route } from './routes';
export { deployRouting, desiredTarget } from './deployRouting';
export type { DeployAccount, DeployRoutingOptions, RoutingChange } from './deployRouting';

