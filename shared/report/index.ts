export { buildRunReport, estimateIndexBytes, HEALTH_WINDOW_MS } from './buildRunReport';
export { escapeHtml, formatBytes, formatCount, formatDuration, formatPercent } from './format';
export { renderHealthHtml, renderHealthText } from './health';
export { renderReport } from './render';
export type { ChunkLine, RenderedReport, RunOutcome, RunReport, StageTiming } from './types';
