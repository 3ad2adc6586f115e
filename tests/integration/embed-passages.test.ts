// embed-documents on long documents, in a real `deno run` against the suite's database: a document
// is cut into passages with the configured splitter and stored one row per passage, an edit embeds
// only the passages whose text changed, a shrink deletes the passages past the new end, provider
// batches count passages, and a document of too many passages is parked once with its reason.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { EdgeFunctionProcess } from '../../local/supabase';
import { codePointSpans, passageSettings, splitPassages } from '../../shared/passages';
import { callFunction, startEdgeDatabase, startEdgeFunction } from '../helpers/edgeHarness';
import type { EdgeDatabase } from '../helpers/edgeHarness';
import { startFakeEmbeddingServer } from '../helpers/fakeEmbeddingServer';
import type { FakeEmbeddingServer } from '../helpers/fakeEmbeddingServer';

/** 32 tokens of 4 characters (128), overlap 4 tokens (16): small passages, so documents stay short. */
const SMALL = { PASSAGE_TOKENS: '32', PASSAGE_OVERLAP_TOKENS: '4', PASSAGE_CHARS_PER_TOKEN: '4' };
const SPLIT = passageSettings(32, 4, 4);

let database: EdgeDatabase;
const running: (EdgeFunctionProcess | FakeEmbeddingServer)[] = [];

async function embedFunction(env: Record<string, string> = {}): Promise<EdgeFunctionProcess> {
  const fn = await startEdgeFunction('embed-documents', { SUPABASE_DB_URL: database.url, EMBEDDING_PROVIDER: 'hash', ...SMALL, ...env });
  running.push(fn);
  return fn;
}

/** The stored passages of the one document: number, text (as Postgres cuts it) and vector text. */
async function storedPassages(): Promise<{ no: number; text: string; embedding: string }[]> {
  const result = await database.db.query<{ no: number; text: string; embedding: string }>(`
    select e.passage_no as no, substr(d.content, e.passage_start + 1, coalesce(e.passage_chars, 1000000)) as text, e.embedding::text as embedding
    from public.document_embeddings as e join public.source_documents as d on d.id = e.document_id
    order by e.passage_no`);
  return result.rows;
}

const paragraph = (n: number, word: string) => `Paragraph ${n} is about ${word}. It says more about ${word} in a second sentence. A third one ends it.`;
const document = (words: readonly string[]) => words.map((word, i) => paragraph(i + 1, word)).join('\n\n');

beforeAll(async () => {
  database = await startEdgeDatabase();
});

afterEach(async () => {
  await Promise.all(running.splice(0).map((item) => ('stop' in item ? item.stop() : item.close())));
  await database.db.exec(`
    delete from public.source_documents;
    select pgmq.purge_queue('embedding_jobs');
    select pgmq.purge_queue('vector_sync');
    delete from vector_sync.dead_letters;
  `);
});

afterAll(async () => {
  await database?.close();
});

describe('embed-documents with passages', () => {
  it('stores one embedding per passage, cut as the splitter cuts, each giving its text back in Postgres', async () => {
    // Prepare: astral characters too, which JavaScript counts twice and Postgres once
    const content = `${document(['harbours', 'glaciers', 'orchards', 'volcanoes'])} 🌋🌋 the end 🐋.`;
    await database.db.query('insert into public.source_documents (content) values ($1)', [content]);
    const embed = await embedFunction();
    // Act
    const answer = await callFunction(embed);
    // Assess
    const expected = splitPassages(content, SPLIT);
    expect(expected.length).toBeGreaterThan(3);
    expect(answer.body).toMatchObject({ read: 1, embedded: 1, passages: expected.length, reused: 0 });
    expect((await storedPassages()).map((p) => ({ no: p.no, text: p.text }))).toEqual(expected.map((p) => ({ no: p.no, text: p.text })));
    expect(codePointSpans(content, expected).at(-1)?.chars).toBeLessThan(expected.at(-1)?.text.length ?? 0);
  }, 60_000);

  it('embeds again only the passages whose text changed, keeps the others, and deletes those past a shrink', async () => {
    // Prepare
    await database.db.query('insert into public.source_documents (content) values ($1)', [document(['harbours', 'glaciers', 'orchards', 'volcanoes'])]);
    const embed = await embedFunction();
    await callFunction(embed);
    const before = await storedPassages();
    // Act: the last paragraph changes
    await database.db.query('update public.source_documents set content = $1', [document(['harbours', 'glaciers', 'orchards', 'deserts'])]);
    const edited = await callFunction(embed);
    const after = await storedPassages();
    // Assess: the passages before the edit keep their vectors, the edited ones have new ones
    const unchanged = after.filter((p) => before.some((b) => b.no === p.no && b.text === p.text));
    expect(unchanged.length).toBeGreaterThan(0);
    expect(edited.body).toMatchObject({ embedded: 1, passages: after.length - unchanged.length, reused: unchanged.length });
    for (const p of unchanged) expect(p.embedding).toBe(before.find((b) => b.no === p.no)?.embedding);
    expect(after.find((p) => p.text.includes('deserts'))?.embedding).not.toBe(before.find((b) => b.text.includes('volcanoes'))?.embedding);
    // Act: it shrinks to one paragraph
    await database.db.query('update public.source_documents set content = $1', [paragraph(1, 'harbours')]);
    const shrunk = await callFunction(embed);
    // Assess
    expect(shrunk.body).toMatchObject({ embedded: 1 });
    const left = await storedPassages();
    expect(left.map((p) => p.text)).toEqual(splitPassages(paragraph(1, 'harbours'), SPLIT).map((p) => p.text));
    expect(left.length).toBeLessThan(after.length);
  }, 60_000);

  it('counts the provider batch in passages: no request holds more than EMBED_BATCH_SIZE texts', async () => {
    // Prepare: three documents of several passages each, a batch of 4 passages
    const sizes: number[] = [];
    const provider = await startFakeEmbeddingServer((inputs) => {
      sizes.push(inputs.length);
      return Promise.resolve({ status: 200 });
    });
    running.push(provider);
    for (const word of ['alpha', 'beta', 'gamma']) await database.db.query('insert into public.source_documents (content) values ($1)', [document([word, `${word}s`, `${word} again`])]);
    const embed = await embedFunction({ EMBEDDING_PROVIDER: 'openai', OPENAI_BASE_URL: provider.baseUrl, OPENAI_API_KEY: 'sk-test', EMBED_BATCH_SIZE: '4' });
    // Act
    const answer = await callFunction(embed);
    // Assess
    const stored = (await database.db.query<{ n: number }>('select count(*)::int as n from public.document_embeddings')).rows[0]?.n ?? 0;
    expect(answer.body).toMatchObject({ embedded: 3, passages: stored });
    expect(Math.max(...sizes)).toBeLessThanOrEqual(4);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(stored);
  }, 60_000);

  it('parks a document of more than 10,000 passages once, with its reason', async () => {
    // Prepare: 16-token passages (64 characters) of a 700,000-character document
    await database.db.query("insert into public.source_documents (content) values (repeat('word ', 140000))");
    const embed = await embedFunction({ PASSAGE_TOKENS: '16', PASSAGE_OVERLAP_TOKENS: '0' });
    // Act
    const answer = await callFunction(embed);
    // Assess
    expect(answer.status).toBe(207);
    expect(answer.body).toMatchObject({ read: 1, embedded: 0, parked: 1 });
    const letters = (await database.db.query<{ error: string }>('select error from vector_sync.dead_letters')).rows;
    expect(letters.map((l) => l.error)).toEqual([expect.stringMatching(/^DocumentTooLong: \d+ passages, at most 10000$/u)]);
    expect((await database.db.query<{ n: number }>('select count(*)::int as n from public.document_embeddings')).rows[0]?.n).toBe(0);
  }, 60_000);
});
