export { buildRunReport, estimateIndexBytes, HEALTH_WINDOW_MS } from './buildRunReport';
export { escapeHtml, formatBytes, formatCount, formatDuration, formatPercent } from './format';
export { renderHealthHtml, renderHealthText } from './health';
export { renderReport } from './render';
export type { ChunkLine, RenderedReport, RunOutcome, RunReport, StageTiming } from './types';
export { DigestWindowMinutes, buildDigestReport, digestRunLine, digestTotals, digestWindowAt, lastEndedDigestWindow } from './digest';
export type { DigestReport, DigestRunLine, DigestTotals, DigestWindow } from './digest';
export { DIGEST_LISTED_RUNS, formatDigestWindow, renderDigest } from './renderDigest';
export type { DigestSection } from './renderDigest';
