export { startDashboard, DashboardOptionsError } from './server';
export type { ApiState, Dashboard, DashboardOptions } from './types';
