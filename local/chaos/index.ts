export { runChaos } from './runChaos';
export type { ChaosOptions, ChaosSummary } from './runChaos';
export { planFaults, planCounts, Hop } from './faultPlan';
export type { PlannedFault } from './faultPlan';
export { planWorkload } from './workload';
export { SeededRandom, freshSeed } from './random';
export { startPostgresFaultProxy } from './postgresProxy';
export type { PostgresFaultProxy } from './postgresProxy';
