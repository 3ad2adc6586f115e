import { describe, expect, it } from 'vitest';
import { renderReport } from '../../shared/report';
import type { RunReport } from '../../shared/report';
import { renderSearchHtml, renderSearchText, searchSummary } from '../../shared/report/search';
import type { SearchResult } from '../../shared/contracts';

const result: SearchResult = {
  index: 'documentsv1',
  topK: 3,
  filtered: false,
  archiveKey: 'searches/documents/run-1.json',
  queries: [
    { label: 'harbour <script>', kind: 'text', hits: [{ documentId: 'doc-1', distance: 0.01234, snippet: 'Cranes & <b>tides</b>' }, { documentId: 'doc-2', passageNo: 3, distance: null }] },
    { label: 'document doc-9', kind: 'document', hits: [], error: 'document doc-9 has no embedding' },
  ],
  recall: { k: 3, sampled: 1, recall: 0.67, differing: [{ label: 'harbour <script>', recall: 0.67, missed: ['doc-3'], extra: ['doc-2'] }] },
};

describe('the search section of a report', () => {
  it('shows each query with its hits, distances and snippets, escaped', () => {
    const html = renderSearchHtml(result);
    expect(html).toContain('harbour &#60;script&#62;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('Cranes &#38; &#60;b&#62;tides&#60;/b&#62;');
    expect(html).toContain('0.0123');
    expect(html).toContain('No answer: document doc-9 has no embedding');
    expect(html).toContain('searches/documents/run-1.json');
    expect(html).toContain('recall@3 over 1 queries: 0.67');
  });

  it('names the model text queries were embedded with and warns when the documents hold several, escaped', () => {
    // Act
    const one = renderSearchText({ ...result, textModel: { model: 'gte-small', models: 1 } }).join('\n');
    const mixed = renderSearchHtml({ ...result, textModel: { model: 'gte-<small>', models: 2 } });
    // Assert
    expect(one).toContain('Text queries were embedded with gte-small.');
    expect(mixed).toContain('Text queries were embedded with gte-&#60;small&#62; (the most common of the 2 models');
    expect(renderSearchText(result).join('\n')).not.toContain('Text queries were embedded');
  });

  it('says the same in plain text and sums it up for the subject', () => {
    const text = renderSearchText(result).join('\n');
    expect(text).toContain('1. doc-1  0.0123  Cranes & <b>tides</b>');
    expect(text).toContain('no answer: document doc-9 has no embedding');
    expect(text).toContain('2. doc-2, passage 3');
    expect(text).toContain('Top 3 documents, each by its best passage');
    expect(renderSearchText({ ...result, grouped: false }).join('\n')).toContain('Top 3 passages, as they are');
    expect(searchSummary(result)).toBe('2 queries, 1 answered');
  });
});

/** A search run's report: nothing written, one chunk, its answers in `search`. */
const searchRun: RunReport = {
  runId: '7d1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f',
  op: 'search',
  trigger: 'manual',
  requestedBy: 'ops@example.com',
  indexName: 'documents (documentsv1)',
  outcome: 'completed',
  startedAt: '2026-11-23T02:00:00Z',
  finishedAt: '2026-11-23T02:00:04Z',
  counts: { received: 0, upserted: 0, deleted: 0, unchanged: 0, rejected: 0, failed: 0 },
  rejections: [],
  stages: [{ stage: 'worker', ms: 3000 }],
  chunks: [{ chunkNo: 0, state: 'succeeded', attempts: 1, upserted: 0, deleted: 0, rejected: 0 }],
  index: { totalVectors: 120, estimatedBytes: 200_000, dimension: 384, metric: 'cosine' },
  search: result,
};

describe('the report of a search run', () => {
  it('sums the answers up in the subject and leaves the write sections out of both parts', () => {
    // Act
    const { subject, html, text } = renderReport(searchRun);
    // Assert
    expect(subject).toBe('[vector-sync] ✓ search documents (documentsv1): 2 queries, 1 answered');
    expect(html).toContain('<code>doc-1</code>');
    expect(text).toContain('1. doc-1  0.0123  Cranes & <b>tides</b>');
    for (const part of [html, text]) {
      expect(part).not.toMatch(/Rejected vectors|Validation query|upserted \| deleted/u);
    }
    expect(html).not.toContain('>Documents<');
  });

  it('says a failed search gave no answers instead of showing write counts', () => {
    // Prepare: the chunk failed, so no search result reached the ledger
    const failed: RunReport = { ...searchRun, outcome: 'failed', error: 'chunk 0 failed', search: undefined };
    // Act
    const { subject, html, text } = renderReport(failed);
    // Assert
    expect(subject).toBe('[vector-sync] ✗ FAILED search documents (documentsv1): no answers');
    expect(html).toContain('The search gave no answers');
    expect(text).toContain('The search gave no answers');
    expect(text).not.toContain('Rejected vectors');
  });
});
