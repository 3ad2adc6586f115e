export { FaultInjector } from './FaultInjector';
export { FaultSpecError } from './errors';
export type { FaultKind, FaultRule, FaultSpec } from './types';
