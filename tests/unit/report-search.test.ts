import { describe, expect, it } from 'vitest';
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
