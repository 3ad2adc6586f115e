export { WorkerLedger } from './WorkerLedger';
export type { ItemOutcome } from './WorkerLedger';
export { runQuery } from './runQuery';
