export { sendRunReport } from './sendRunReport';
export { reportArchiveKey } from './reportArchiveKey';
export { REPORT_LINK_SECONDS } from './constants';
export { RunNotFinishedError } from './errors';
export type { NotifyDeps, NotifyResult } from './types';
