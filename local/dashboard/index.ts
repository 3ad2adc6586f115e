export { startDashboard, DashboardOptionsError } from './server';
export type { ApiState, Dashboard } from './types';
