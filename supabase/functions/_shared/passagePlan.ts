// What embed-documents does with one document: cut it into passages (shared/passages.ts), hash each
// passage, and decide which need the provider. A passage whose text and model the sidecar holds
// already keeps its vector; a document whose passages all match is current and needs nothing.
import { codePointSpans, splitPassages } from '../../../shared/passages.ts';
import type { SplitSettings } from '../../../shared/passages.ts';
import type { EmbeddingSource, PassageWrite } from '../../../shared/ledger/QueueLedger.ts';

/** The most passages one document may have (the sidecar's passage_no is 0..9999). */
export const MAX_PASSAGES = 10_000;

/** A passage to write: where it sits, its text, and whether the sidecar's vector for it is kept. */
export interface PlannedPassage {
  readonly write: Omit<PassageWrite, 'embedding'>;
  readonly text: string;
  /** The sidecar holds a vector of this very text and model: written without one (kept as it is). */
  readonly reuse: boolean;
}

/** The plan for one document. */
export type PassagePlan =
  | { readonly kind: 'current' }
  | { readonly kind: 'tooLong'; readonly passages: number }
  | { readonly kind: 'embed'; readonly passages: readonly PlannedPassage[] };

/** SHA-256 of the UTF-8 bytes, as hex (Web Crypto: the same in Deno and Node). */
async function sha256Hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/**
 * Plans one document with non-blank content: its passages with their hashes (a document that is one
 * passage has the content hash, stored as null), each marked for reuse when the sidecar holds its
 * text under `model`. `current` when the sidecar holds exactly these passages of this content.
 */
export async function planPassages(source: EmbeddingSource, settings: SplitSettings, model: string): Promise<PassagePlan> {
  const passages = splitPassages(source.content, settings);
  if (passages.length > MAX_PASSAGES) return { kind: 'tooLong', passages: passages.length };
  const whole = passages.length === 1 && passages[0]?.text === source.content;
  const hashes = whole ? [source.contentHash] : await Promise.all(passages.map((passage) => sha256Hex(passage.text)));
  const held = source.embeddedModel === model ? source.embeddedPassages ?? [] : [];
  if (source.embeddedHash === source.contentHash && held.length === hashes.length && held.every((hash, index) => hash === hashes[index])) return { kind: 'current' };
  const heldSet = new Set(held);
  const spans = codePointSpans(source.content, passages);
  return {
    kind: 'embed',
    passages: passages.map((passage, index) => {
      const hash = hashes[index] ?? '';
      const span = spans[index] ?? { start: 0, chars: 0 };
      const last = index === passages.length - 1 && passage.end === source.content.length;
      return { write: { no: passage.no, hash: whole ? null : hash, start: span.start, chars: last ? null : span.chars }, text: passage.text, reuse: heldSet.has(hash) };
    }),
  };
}

/** The passages of a document the provider has to embed (the others keep the sidecar's vectors). */
export function toEmbed(item: { readonly passages: readonly PlannedPassage[] }): PlannedPassage[] {
  return item.passages.filter((passage) => !passage.reuse);
}

/**
 * Batches of whole documents holding up to `size` passages to embed, order kept: the provider's
 * batch size counts passages, so a batch of long documents is as full as one of short ones. A
 * document with more passages than `size` is a batch of its own (sent to the provider in slices).
 */
export function batchByPassages<T extends { readonly passages: readonly PlannedPassage[] }>(work: readonly T[], size: number): T[][] {
  if (!Number.isInteger(size) || size < 1) throw new RangeError(`batch size must be a positive integer, got ${size}`);
  const batches: T[][] = [];
  let current: T[] = [];
  let passages = 0;
  for (const item of work) {
    const count = toEmbed(item).length;
    if (current.length > 0 && passages + count > size) {
      batches.push(current);
      current = [];
      passages = 0;
    }
    current.push(item);
    passages += count;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
