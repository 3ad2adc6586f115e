import type { Sql } from 'postgres';
import * as z from 'zod';
import { PermanentError } from '../shared/errors';

/** One generated document, in the shape of a `public.source_documents` row. */
interface SampleDocument {
  readonly content: string;
  readonly metadata: Readonly<Record<string, string | number | boolean>>;
}

/** How `loadCorpus` inserts. */
interface LoadCorpusOptions {
  /** Rows per multi-row insert; default 500. */
  readonly batchSize?: number;
  /** Called after each batch with the number of rows inserted so far. */
  readonly onProgress?: (loaded: number) => void;
}

/** A count, seed or batch size the corpus cannot use; `details.option` names it. */
export class CorpusOptionsError extends PermanentError {}

/** Defaults of the sample corpus: the seed and the insert batch size. */
const CorpusDefaults = {
  seed: 1,
  batchSize: 500,
  maxBatchSize: 5000,
} as const;

/** The word lists the generator draws from; every document names one topic and one source. */
export const CorpusWords = {
  topics: ['billing', 'search', 'storage', 'security', 'onboarding', 'analytics', 'networking', 'mobile', 'payments', 'compliance', 'logistics', 'support'],
  sources: ['wiki', 'support-ticket', 'blog', 'forum', 'release-notes', 'runbook'],
  products: ['the vector index', 'the mobile app', 'the billing portal', 'the data warehouse', 'the search API', 'the admin console', 'the sync worker', 'the message queue', 'the CDN', 'the identity service', 'the reporting tool', 'the edge gateway'],
  teams: ['the platform team', 'the support desk', 'our partners', 'the finance group', 'the data team', 'a new customer', 'the on-call engineer', 'the design team', 'the security office', 'the sales team'],
  verbs: ['improved', 'slowed down', 'simplified', 'broke', 'sped up', 'replaced', 'audited', 'migrated', 'documented', 'tested', 'redesigned', 'monitored'],
  adjectives: ['noticeable', 'unexpected', 'steady', 'sharp', 'minor', 'lasting', 'costly', 'welcome', 'gradual', 'surprising'],
  effects: ['latency', 'error rates', 'signups', 'storage costs', 'query accuracy', 'ticket volume', 'throughput', 'churn', 'page load times', 'conversion'],
  places: ['Hangzhou', 'Singapore', 'Frankfurt', 'Virginia', 'Tokyo', 'London', 'Sydney', 'Sao Paulo'],
  times: ['on Monday', 'on Tuesday', 'on Wednesday', 'on Thursday', 'on Friday', 'over the weekend', 'during the last sprint', 'during the holiday season', 'this morning', 'last night'],
} as const;

const CountSchema = z.number().int().nonnegative().max(10_000_000);
const SeedSchema = z.number().int().nonnegative().max(0xffffffff);
const BatchSizeSchema = z.number().int().min(1).max(CorpusDefaults.maxBatchSize);

type Pick = (words: readonly string[]) => string;

// Sentence shapes; each draws its own words so that a few thousand documents stay distinct.
const SENTENCES: readonly ((pick: Pick, topic: string, percent: number) => string)[] = [
  (pick, topic) => `${capitalise(pick(CorpusWords.teams))} ${pick(CorpusWords.verbs)} ${pick(CorpusWords.products)} to help with ${topic}.`,
  (pick, _topic, percent) => `After the change, ${pick(CorpusWords.effects)} showed a ${pick(CorpusWords.adjectives)} shift of ${percent} percent.`,
  (pick, topic) => `Customers in ${pick(CorpusWords.places)} asked how ${pick(CorpusWords.products)} handles ${topic}.`,
  (pick) => `${capitalise(pick(CorpusWords.times))}, ${pick(CorpusWords.teams)} ${pick(CorpusWords.verbs)} ${pick(CorpusWords.products)}.`,
  (pick, topic) => `This note explains why ${topic} depends on ${pick(CorpusWords.products)} and what ${pick(CorpusWords.teams)} should check first.`,
  (pick, _topic, percent) => `A ${pick(CorpusWords.adjectives)} drop in ${pick(CorpusWords.effects)} of ${percent} percent was seen in ${pick(CorpusWords.places)}.`,
  (pick, topic) => `The ${topic} checklist now covers ${pick(CorpusWords.products)} and ${pick(CorpusWords.effects)}.`,
  (pick) => `Ask ${pick(CorpusWords.teams)} before anyone touches ${pick(CorpusWords.products)} ${pick(CorpusWords.times)}.`,
];

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every platform. */
function createRandom(seed: number): () => number {
  let state = seed >>> 0;
  return function next(): number {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown, option: string): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new CorpusOptionsError(`sample corpus: ${option} must be ${option === 'count' ? 'an integer from 0 to 10,000,000' : 'an integer from 0 to 2^32-1'}, got ${String(value)}`, { details: { option, value }, cause: parsed.error });
  return parsed.data;
}

/**
 * A deterministic generated corpus: `count` short English documents (1-3 sentences) with
 * `{ topic, source, n }` metadata. The same seed yields the same documents; nothing is downloaded.
 */
export function* sampleDocuments(count: number, seed: number = CorpusDefaults.seed): Generator<SampleDocument, void, undefined> {
  const total = parse(CountSchema, count, 'count');
  const random = createRandom(parse(SeedSchema, seed, 'seed'));
  const pick: Pick = (words) => words[Math.floor(random() * words.length)] ?? words[0] ?? '';
  for (let n = 1; n <= total; n += 1) {
    const topic = pick(CorpusWords.topics);
    const source = pick(CorpusWords.sources);
    const sentenceCount = 1 + Math.floor(random() * 3);
    // Consecutive shapes from a random start: never the same shape twice in one document.
    const first = Math.floor(random() * SENTENCES.length);
    const sentences: string[] = [];
    for (let i = 0; i < sentenceCount; i += 1) {
      const sentence = SENTENCES[(first + i * 3) % SENTENCES.length];
      if (sentence) sentences.push(sentence(pick, topic, 1 + Math.floor(random() * 60)));
    }
    yield { content: sentences.join(' '), metadata: { topic, source, n } };
  }
}

async function insertBatch(sql: Sql, batch: readonly SampleDocument[]): Promise<number> {
  const rows = batch.map((document) => ({ content: document.content, metadata: sql.json(document.metadata) }));
  // One statement per batch, no explicit transaction: PGlite serialises transactions on one backend.
  const result = await sql`insert into public.source_documents ${sql(rows, 'content', 'metadata')}`;
  return result.count;
}

/**
 * Inserts documents into `public.source_documents` with multi-row inserts of `batchSize` rows,
 * holding at most one batch in memory; answers the number of rows inserted.
 */
export async function loadCorpus(sql: Sql, documents: Iterable<SampleDocument> | AsyncIterable<SampleDocument>, options: LoadCorpusOptions = {}): Promise<number> {
  const parsed = BatchSizeSchema.safeParse(options.batchSize ?? CorpusDefaults.batchSize);
  if (!parsed.success) throw new CorpusOptionsError(`loadCorpus: batchSize must be an integer from 1 to ${CorpusDefaults.maxBatchSize}, got ${String(options.batchSize)}`, { details: { option: 'batchSize', value: options.batchSize }, cause: parsed.error });
  const batchSize = parsed.data;
  let loaded = 0;
  let batch: SampleDocument[] = [];
  const flush = async (): Promise<void> => {
    if (batch.length === 0) return;
    const rows = batch;
    batch = [];
    loaded += await insertBatch(sql, rows);
    options.onProgress?.(loaded);
  };
  for await (const document of documents) {
    batch.push(document);
    if (batch.length >= batchSize) await flush();
  }
  await flush();
  return loaded;
}
