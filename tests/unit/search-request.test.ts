import { describe, expect, it } from 'vitest';
import { describeQuery, parseVectorKey, parseWith, RunRequestedDataSchema, SearchParamsSchema, vectorKey, VerifyParamsSchema } from '../../shared/contracts';

const search = (extra: Record<string, unknown>) => ({ op: 'search', index: 'docs', queries: [{ text: 'harbour cranes' }], ...extra });

function problems(data: unknown): string[] {
  const parsed = RunRequestedDataSchema.safeParse(data);
  return parsed.success ? [] : parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
}

describe('a search request', () => {
  it('takes text, vector and document-id queries and defaults topK to 10 and recall to false', () => {
    const parsed = RunRequestedDataSchema.parse(search({ queries: [{ text: 'harbour' }, { vector: [0.1, 0.2] }, { documentId: '0b8e6f3c-5d2a-4e91-9c47-1f2a3b4c5d6e', label: 'the harbour note' }] }));
    expect(parsed.op === 'search' && [parsed.topK, parsed.recall, parsed.queries.length]).toEqual([10, false, 3]);
  });

  it('refuses an empty query list, more than 20 queries, a topK outside 1..100 and a query of two kinds', () => {
    expect(problems(search({ queries: [] }))).toEqual(['queries: queries is empty']);
    expect(problems(search({ queries: Array.from({ length: 21 }, () => ({ text: 'x' })) }))).toEqual(['queries: queries holds more than 20 queries']);
    expect(problems(search({ topK: 101 }))).toEqual(['topK: topK must be at most 100']);
    expect(problems(search({ topK: 0 }))).toEqual(['topK: topK must be at least 1']);
    expect(problems(search({ queries: [{ text: 'a', vector: [1] }] }))[0]).toMatch(/each query is/);
    expect(problems(search({ queries: [{ vector: [1, Number.NaN] }] }))).not.toEqual([]);
    expect(problems(search({ queries: [{ text: '   ' }] }))).toEqual(['queries.0.text: text is empty']);
  });

  it('checks the filter as OSS Vectors reads it', () => {
    expect(problems(search({ filter: { $and: [{ lang: { $eq: 'en' } }, { tags: { $in: ['a', 'b'] } }] } }))).toEqual([]);
    expect(problems(search({ filter: { lang: { $gt: 'a' } } }))).toEqual(['filter: unknown operator $gt on lang (use $eq, $ne, $in, $nin or $exists)']);
    expect(problems(search({ filter: { lang: 'en' } }))).toEqual(['filter: the condition on lang must be an object such as {"$eq": "value"}']);
    expect(problems(search({ filter: { year: { $eq: 2020 } } }))).toEqual(['filter: $eq on year takes a string (metadata values are strings)']);
    expect(problems(search({ filter: { $or: [] } }))).toEqual(['filter: $or takes a non-empty array of filters']);
    let deep: Record<string, unknown> = { lang: { $eq: 'en' } };
    for (let i = 0; i < 8; i += 1) deep = { $and: [deep] };
    expect(problems(search({ filter: deep }))).toEqual(['filter: filter nests deeper than 8 levels']);
  });

  it('refuses recall together with a filter (the exact search in Postgres applies no OSS filter)', () => {
    expect(problems(search({ recall: true, filter: { lang: { $eq: 'en' } } }))).toEqual(['recall: recall is measured without a filter: drop one of them']);
    expect(SearchParamsSchema.safeParse({ queries: [{ text: 'x' }], recall: true, filter: { lang: { $eq: 'en' } } }).success).toBe(false);
  });

  it('names a query in the report by its label, its text or what it is', () => {
    expect(describeQuery({ text: 'harbour cranes', label: 'cranes' })).toEqual({ kind: 'text', label: 'cranes' });
    expect(describeQuery({ text: 'x'.repeat(100) }).label).toHaveLength(80);
    expect(describeQuery({ vector: [1, 2, 3] })).toEqual({ kind: 'vector', label: 'vector of 3 values' });
    expect(describeQuery({ documentId: 'doc-1' })).toEqual({ kind: 'document', label: 'document doc-1' });
  });
});

describe('verify params', () => {
  it('default heal to true and keep false', () => {
    expect(VerifyParamsSchema.parse({})).toEqual({ heal: true });
    expect(VerifyParamsSchema.parse({ heal: false })).toEqual({ heal: false });
    expect(() => parseWith(VerifyParamsSchema, { heal: 'no' })).toThrow();
  });
});

describe('vector keys', () => {
  it('key the first passage by the document id alone and the others by <doc>#<n>', () => {
    expect(vectorKey('doc-1', 0)).toBe('doc-1');
    expect(vectorKey('doc-1', 12)).toBe('doc-1#12');
    expect(parseVectorKey('doc-1#12')).toEqual({ documentId: 'doc-1', passageNo: 12 });
    expect(parseVectorKey('doc-1')).toEqual({ documentId: 'doc-1', passageNo: 0 });
  });

  it('read a key whose suffix is no passage number as a whole document id', () => {
    expect(parseVectorKey('a#b')).toEqual({ documentId: 'a#b', passageNo: 0 });
    expect(parseVectorKey('a#0')).toEqual({ documentId: 'a#0', passageNo: 0 });
    expect(parseVectorKey('a#')).toEqual({ documentId: 'a#', passageNo: 0 });
  });
});
