export { reconcile } from './reconcile';
export { checkSilentChunk } from './checkSilentChunk';
export { ReconcileLimits } from './constants';
export type { ReconcileDeps, ReconcileProblem, ReconcileSummary } from './types';
