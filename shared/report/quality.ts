// The verify section of a run report: the drift this run found (and whether it was healed or, with
// `heal: false`, left in place) and the search quality it measured (recall@k against an exact
// search in Postgres, with the queries whose hits differ). Recall is rendered here for search runs too.
import { VerifyParamsSchema } from '../contracts';
import type { RecallResult } from '../contracts';
import type { ChunkRow, RunRow } from '../ledger';
import { escapeHtml as e, formatCount, paragraph, section, table } from './format';

/** What a verify run found, summed over its chunks. */
export interface Verification {
  readonly missing: number;
  readonly stale: number;
  readonly orphaned: number;
  /** Absent from the index because they were refused: not drift. */
  readonly rejected: number;
  readonly examples: readonly string[];
  /** Whether the run was asked to heal (`heal`, default true). */
  readonly heal: boolean;
  /** Documents queued again for a sync (0 with heal off). */
  readonly healed: number;
  readonly recall?: RecallResult;
}

const EXAMPLES_SHOWN = 10;

/** The verify section's figures of a run (undefined for other ops). */
export function verificationOf(run: Pick<RunRow, 'op' | 'params'>, chunks: readonly Pick<ChunkRow, 'result'>[]): Verification | undefined {
  if (run.op !== 'verify') return undefined;
  const params = VerifyParamsSchema.safeParse(run.params);
  const sum = (pick: (chunk: Pick<ChunkRow, 'result'>) => number | undefined): number => chunks.reduce((total, chunk) => total + (pick(chunk) ?? 0), 0);
  const recall = chunks.map((chunk) => chunk.result?.recall).find((value) => value !== undefined);
  return {
    missing: sum((c) => c.result?.drift?.missing),
    stale: sum((c) => c.result?.drift?.stale),
    orphaned: sum((c) => c.result?.drift?.orphaned),
    rejected: sum((c) => c.result?.drift?.rejected),
    examples: chunks.flatMap((chunk) => chunk.result?.drift?.examples ?? []).slice(0, EXAMPLES_SHOWN),
    heal: params.success ? params.data.heal : true,
    healed: sum((c) => c.result?.healed),
    ...(recall ? { recall } : {}),
  };
}

function driftTotal(v: Verification): number {
  return v.missing + v.stale + v.orphaned;
}

/** One sentence on what became of the drift. */
function healSentence(v: Verification): string {
  const total = driftTotal(v);
  if (total === 0) return 'The index matches Postgres: nothing missing, stale or orphaned.';
  if (!v.heal) return `${formatCount(total)} drifted vector(s) found and left in place: this run was asked not to heal (heal: false).`;
  return `${formatCount(total)} drifted vector(s) found; ${formatCount(v.healed)} document(s) queued again for a sync to heal them.`;
}

/** "recall@10 over 20 sampled queries: 0.97". */
export function recallSentence(recall: RecallResult, what: string): string {
  return `recall@${recall.k} over ${formatCount(recall.sampled)} ${what}: ${recall.recall.toFixed(2)} (OSS Vectors' top ${recall.k} against an exact search in Postgres).`;
}

/** The queries whose hits differ, as an HTML table. */
export function renderRecallHtml(recall: RecallResult, what: string): string {
  const sentence = paragraph(recallSentence(recall, what));
  if (recall.differing.length === 0) return `${sentence}${paragraph('Every query found the exact neighbours.')}`;
  const ids = (list: readonly string[]) => list.map((id) => `<code>${e(id)}</code>`).join(', ');
  const rows = recall.differing.map((q) => [e(q.label), e(q.recall.toFixed(2)), ids(q.missed), ids(q.extra)]);
  return `${sentence}${table(['Query', 'Recall', 'Missed (exact, not found)', 'Found instead'], rows, new Set([1]))}`;
}

/** The same as plain-text lines. */
export function renderRecallText(recall: RecallResult, what: string): string[] {
  return [
    recallSentence(recall, what),
    ...recall.differing.map((q) => `  ${q.label}: ${q.recall.toFixed(2)}; missed ${q.missed.join(', ') || 'none'}; found instead ${q.extra.join(', ') || 'none'}`),
  ];
}

/** The verify section, HTML. */
export function renderVerificationHtml(v: Verification): string {
  const rows = [
    ['Missing (in Postgres, not in the index)', formatCount(v.missing)],
    ['Stale (content or metadata differs)', formatCount(v.stale)],
    ['Orphaned (in the index, not in Postgres)', formatCount(v.orphaned)],
    ['Refused earlier (not drift)', formatCount(v.rejected)],
  ].map(([label, value]) => [e(label ?? ''), e(value ?? '')]);
  const examples = v.examples.length === 0 ? '' : paragraph(`Examples: ${v.examples.join(', ')}`);
  const quality = v.recall ? renderRecallHtml(v.recall, 'sampled documents') : paragraph('Search quality was not measured (RECALL_SAMPLE is 0 or the index is empty).');
  return section('Verify', `${paragraph(healSentence(v))}${table(['Drift', 'Count'], rows, new Set([1]))}${examples}`) + section('Search quality', quality);
}

/** The verify section, plain text. */
export function renderVerificationText(v: Verification): string[] {
  return [
    'Verify:',
    `  ${healSentence(v)}`,
    `  missing ${formatCount(v.missing)} | stale ${formatCount(v.stale)} | orphaned ${formatCount(v.orphaned)} | refused earlier ${formatCount(v.rejected)}`,
    ...(v.examples.length === 0 ? [] : [`  examples: ${v.examples.join(', ')}`]),
    '',
    'Search quality:',
    ...(v.recall ? renderRecallText(v.recall, 'sampled documents').map((line) => `  ${line}`) : ['  not measured (RECALL_SAMPLE is 0 or the index is empty)']),
  ];
}
