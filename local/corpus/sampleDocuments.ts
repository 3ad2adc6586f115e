import * as z from 'zod';
import { CorpusDefaults, CorpusWords } from './constants';
import { createRandom } from './createRandom';
import { CorpusOptionsError } from './errors';
import type { SampleDocument } from './types';

const CountSchema = z.number().int().nonnegative().max(10_000_000);
const SeedSchema = z.number().int().nonnegative().max(0xffffffff);

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
