export { startEventBridge } from './startEventBridge';
export type { EventBridgeEmulator } from './startEventBridge';
export { matchPattern } from './matchPattern';
export { checkPattern } from './checkPattern';
export { retryDelays } from './Deliverer';
export type { InvokableFunction } from './types';
