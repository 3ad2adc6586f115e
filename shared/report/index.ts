export { renderReport } from './renderReport';
export { renderReportHtml } from './renderReportHtml';
export { renderReportText } from './renderReportText';
export { reportSubject } from './reportSubject';
export { escapeHtml, formatBytes, formatCount, formatDuration } from './format';
export type { ChunkLine, ParkedLine, RejectionGroup, RenderedReport, RunOutcome, RunReport, StageTiming } from './types';
