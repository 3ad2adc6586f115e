export { buildRunReport, estimateIndexBytes } from './buildRunReport';
export { escapeHtml, formatBytes, formatCount, formatDuration, renderReport } from './render';
export type { ChunkLine, RenderedReport, RunOutcome, RunReport, StageTiming } from './types';
