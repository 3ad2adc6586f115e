// The search section of a run report: each query with its top hits (document, distance, snippet)
// or the reason it got none, where the full answer is archived, and recall@k when it was asked for.
import type { SearchResult } from '../contracts';
import type { ChunkRow } from '../ledger';
import { escapeHtml as e, paragraph, section, table } from './format';
import { renderRecallHtml, renderRecallText } from './quality';

/** The search a run's chunk found (search runs have one chunk). */
export function searchOf(chunks: readonly Pick<ChunkRow, 'result'>[]): SearchResult | undefined {
  return chunks.map((chunk) => chunk.result?.search).find((search) => search !== undefined);
}

/** What a failed search run's report says in place of its answers. */
const NO_ANSWERS = 'The search gave no answers: its chunk did not finish (its error is in the chunks below).';

/** "3 queries, 2 answered" for the subject; "no answers" when the chunk did not finish. */
export function searchSummary(search: SearchResult | undefined): string {
  if (!search) return 'no answers';
  const answered = search.queries.filter((q) => q.error === undefined).length;
  return `${search.queries.length} ${search.queries.length === 1 ? 'query' : 'queries'}, ${answered} answered`;
}

function distance(value: number | null): string {
  return value === null ? '' : value.toFixed(4);
}

/** "doc-1" or "doc-1, passage 3". */
function hitName(hit: { documentId: string; passageNo?: number | undefined }): string {
  return hit.passageNo ? `${hit.documentId}, passage ${hit.passageNo}` : hit.documentId;
}

/** Which model embedded the text queries, and a warning when the sidecar holds several. */
function textModelNote(search: SearchResult): string {
  const used = search.textModel;
  if (!used) return '';
  const mixed = used.models > 1 ? ` (the most common of the ${used.models} models the documents are embedded with: hits embedded with another model are not comparable)` : '';
  return ` Text queries were embedded with ${used.model}${mixed}.`;
}

function where(search: SearchResult): string {
  const filter = search.filtered ? ', with a metadata filter' : '';
  const unit = search.grouped === false ? 'passages, as they are' : 'documents, each by its best passage';
  return `Top ${search.topK} ${unit}, of generation ${search.index}${filter}.${textModelNote(search)} ${search.archiveKey ? `Every hit with its metadata is archived in OSS as ${search.archiveKey}.` : 'The full answer was not archived (the worker has no OSS_BUCKET).'}`;
}

/** The search section, HTML: one table of hits per query. */
export function renderSearchHtml(search: SearchResult | undefined): string {
  if (!search) return section('Search', paragraph(NO_ANSWERS));
  const parts = search.queries.map((q, i) => {
    const title = `<h3 style="font-size:14px;margin:14px 0 6px">${e(`${i + 1}. ${q.label}`)} <span style="color:#6b7280;font-weight:400">(${e(q.kind)}${q.recall ? `, recall ${q.recall.recall.toFixed(2)}` : ''})</span></h3>`;
    if (q.error) return `${title}<p style="font-size:13px;margin:6px 0;color:#991b1b">${e(`No answer: ${q.error}`)}</p>`;
    if (q.hits.length === 0) return `${title}${paragraph('No vector matched.')}`;
    const rows = q.hits.map((hit, rank) => [e(String(rank + 1)), `<code>${e(hitName(hit))}</code>`, e(distance(hit.distance)), e(hit.snippet ?? '')]);
    return `${title}${table(['#', 'Document', 'Distance', 'Snippet'], rows, new Set([0, 2]))}`;
  });
  const recall = search.recall ? renderRecallHtml(search.recall, 'queries') : '';
  return section('Search', `${paragraph(where(search))}${parts.join('')}${recall}`);
}

/** The search section, plain text. */
export function renderSearchText(search: SearchResult | undefined): string[] {
  if (!search) return ['Search:', `  ${NO_ANSWERS}`];
  return [
    'Search:',
    `  ${where(search)}`,
    ...search.queries.flatMap((q, i) => [
      `  ${i + 1}. ${q.label} (${q.kind}${q.recall ? `, recall ${q.recall.recall.toFixed(2)}` : ''})`,
      ...(q.error ? [`     no answer: ${q.error}`] : q.hits.length === 0 ? ['     no vector matched'] : q.hits.map((hit, rank) => `     ${rank + 1}. ${hitName(hit)}  ${distance(hit.distance)}  ${hit.snippet ?? ''}`)),
    ]),
    ...(search.recall ? renderRecallText(search.recall, 'queries').map((line) => `  ${line}`) : []),
  ];
}
