export { buildRunReport } from './buildRunReport';
export { estimateIndexBytes } from './estimateIndexBytes';
