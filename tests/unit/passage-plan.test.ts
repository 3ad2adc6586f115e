import { describe, expect, it } from 'vitest';
import { loadEmbedConfig } from '../../supabase/functions/_shared/config.ts';
import { batchByPassages, planPassages } from '../../supabase/functions/_shared/passagePlan.ts';
import type { PlannedPassage } from '../../supabase/functions/_shared/passagePlan.ts';
import type { EmbeddingSource } from '../../shared/ledger/QueueLedger.ts';
import { createHash } from 'node:crypto';

const SPLIT = { maxChars: 64, overlapChars: 8 };
const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const LONG = 'First sentence of the text. Second sentence goes on here. Third one is longer than the others. Fourth ends it.';

function source(content: string, held?: { hashes: string[]; model?: string; contentHash?: string }): EmbeddingSource {
  return { documentId: 'd', content, contentHash: sha(content), embeddedHash: held ? (held.contentHash ?? sha(content)) : null, embeddedModel: held ? (held.model ?? 'm') : null, embeddedPassages: held?.hashes ?? null };
}

describe('planPassages', () => {
  it('keeps a short document one passage, the whole content, hashed as the content', async () => {
    const plan = await planPassages(source('short text'), SPLIT, 'm');
    expect(plan).toEqual({ kind: 'embed', passages: [{ write: { no: 0, hash: null, start: 0, chars: null }, text: 'short text', reuse: false }] });
    expect(await planPassages(source('short text', { hashes: [sha('short text')] }), SPLIT, 'm')).toEqual({ kind: 'current' });
  });

  it('marks for reuse the passages whose text the sidecar holds under the same model, and only those', async () => {
    const first = await planPassages(source(LONG), SPLIT, 'm');
    if (first.kind !== 'embed') throw new Error('expected passages');
    const hashes = first.passages.map((p) => p.write.hash ?? '');
    expect(hashes.length).toBeGreaterThan(1);
    expect(await planPassages(source(LONG, { hashes }), SPLIT, 'm')).toEqual({ kind: 'current' });
    // The end changes: the earlier passages are kept.
    const edited = `${LONG.slice(0, -10)}changed end.`;
    const plan = await planPassages(source(edited, { hashes, contentHash: sha(LONG) }), SPLIT, 'm');
    if (plan.kind !== 'embed') throw new Error('expected passages');
    expect(plan.passages[0]?.reuse).toBe(true);
    expect(plan.passages.at(-1)?.reuse).toBe(false);
    expect(plan.passages.at(-1)?.write.chars).toBeNull();
    // Another model keeps nothing.
    const other = await planPassages(source(edited, { hashes, contentHash: sha(LONG), model: 'other' }), SPLIT, 'm');
    expect(other.kind === 'embed' && other.passages.every((p) => !p.reuse)).toBe(true);
  });

  it('re-cuts a current document whose passages the settings now cut otherwise', async () => {
    const plan = await planPassages(source(LONG, { hashes: [sha(LONG)] }), SPLIT, 'm');
    expect(plan.kind).toBe('embed');
  });

  it('says a document of more than 10,000 passages is too long', async () => {
    expect(await planPassages(source('word '.repeat(150_000)), { maxChars: 64, overlapChars: 0 }, 'm')).toMatchObject({ kind: 'tooLong' });
  });
});

describe('batchByPassages', () => {
  const work = (id: string, toEmbed: number, kept = 0): { source: EmbeddingSource; passages: PlannedPassage[] } => ({
    source: source(id),
    passages: [...Array.from({ length: toEmbed }, () => false), ...Array.from({ length: kept }, () => true)].map((reuse, no) => ({ write: { no, hash: null, start: 0, chars: null }, text: id, reuse })),
  });

  it('fills a batch with whole documents up to the passages to embed, and gives a longer document a batch of its own', () => {
    const batches = batchByPassages([work('a', 2), work('b', 3, 5), work('c', 9), work('d', 1), work('e', 0, 4)], 4);
    expect(batches.map((batch) => batch.map((w) => w.source.content))).toEqual([['a'], ['b'], ['c'], ['d', 'e']]);
  });
});

describe('the passage settings of embed-documents', () => {
  const base = { VECTOR_SYNC_FUNCTION_KEY: 'k'.repeat(16), SUPABASE_DB_URL: 'postgres://u:p@localhost:5432/db', EMBEDDING_PROVIDER: 'hash' };
  it('defaults to 400 tokens, 40 of overlap, 4 characters a token', () => {
    expect(loadEmbedConfig(base)).toMatchObject({ PASSAGE_TOKENS: 400, PASSAGE_OVERLAP_TOKENS: 40, PASSAGE_CHARS_PER_TOKEN: 4 });
  });
  it('refuses an overlap above half the passage and a ratio that is not a number', () => {
    expect(() => loadEmbedConfig({ ...base, PASSAGE_TOKENS: '100', PASSAGE_OVERLAP_TOKENS: '60' })).toThrow(/PASSAGE_OVERLAP_TOKENS/);
    expect(() => loadEmbedConfig({ ...base, PASSAGE_CHARS_PER_TOKEN: 'four' })).toThrow(/PASSAGE_CHARS_PER_TOKEN/);
    expect(loadEmbedConfig({ ...base, PASSAGE_CHARS_PER_TOKEN: '1.5' }).PASSAGE_CHARS_PER_TOKEN).toBe(1.5);
  });
});
