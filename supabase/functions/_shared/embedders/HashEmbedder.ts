import { ProviderError } from '../errors.ts';
import { normalize } from './normalize.ts';
import type { Embedder } from './types.ts';

const WORD = /[\p{L}\p{N}]+/gu;
const TRIGRAM_WEIGHT = 0.5;

/** 32-bit FNV-1a over the UTF-16 code units, seeded so words and trigrams hash apart. */
function fnv1a(text: string, seed: number): number {
  let hash = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash >>> 0;
}

/**
 * Deterministic offline embeddings by feature hashing: lower-cased word tokens and the character
 * trigrams of each word (padded with spaces) go to `dimension` buckets with a hash-chosen sign,
 * then the vector is L2-normalised. Similar texts get similar vectors; no network, no model.
 */
export class HashEmbedder implements Embedder {
  readonly model: string;

  constructor(readonly dimension: number) {
    if (!Number.isInteger(dimension) || dimension < 1) throw new RangeError(`dimension must be a positive integer, got ${dimension}`);
    this.model = `hash:v1-${dimension}`;
  }

  embed(texts: readonly string[]): Promise<number[][]> {
    try {
      return Promise.resolve(texts.map((text) => this.embedOne(text)));
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** The vector of one text; throws a permanent ProviderError when it has no word. */
  embedOne(text: string): number[] {
    const vector = new Array<number>(this.dimension).fill(0);
    for (const word of text.toLowerCase().match(WORD) ?? []) {
      this.add(vector, `w:${word}`, 1);
      const padded = ` ${word} `;
      for (let i = 0; i + 3 <= padded.length; i += 1) this.add(vector, `t:${padded.slice(i, i + 3)}`, TRIGRAM_WEIGHT);
    }
    const unit = normalize(vector);
    if (!unit) throw new ProviderError('hash embedder: the text has no word to embed', { transient: false });
    return unit;
  }

  private add(vector: number[], feature: string, weight: number): void {
    const bucket = fnv1a(feature, 0) % this.dimension;
    const sign = (fnv1a(feature, 0x9e3779b9) & 1) === 0 ? 1 : -1;
    vector[bucket] = (vector[bucket] ?? 0) + sign * weight;
  }
}
