// The rows the worker reads from Postgres and the outcomes it records, as the worker's ledger hands
// them over: each row parsed with zod where it is read; the vector kept as pgvector's text, which
// the OSS Vectors client parses once to check it and then sends as it is.
import * as z from 'zod';
import type { ValidationReason } from '../shared/clients/oss-vectors';
import { vectorKey } from '../shared/contracts';
import { PermanentError } from '../shared/errors';

/** The outcome of one document in a run, as `run_items` records it. */
export type ItemOutcome = 'upserted' | 'deleted' | 'skipped' | 'rejected' | 'failed';

/** What became of one document of a run: its op, its outcome and, when its vector was refused, why. */
export interface Outcome {
  readonly documentId: string;
  readonly op: 'upsert' | 'delete';
  readonly outcome: ItemOutcome;
  readonly reason?: ValidationReason;
  readonly detail?: string;
}

/** A row read from Postgres does not have the shape the worker expects (a migration and the code disagree). */
export class EmbeddingRowError extends PermanentError {}

// pgvector prints a vector as `[0.1,-2,3e-05]`, which is JSON. The values are parsed and checked
// (as float32) once, by the client's prepareVector, which also sends this text as it is.
const VectorTextSchema = z.string().refine((text) => text.startsWith('[') && text.endsWith(']'), 'embedding is not a pgvector array');

/** One passage row of the sidecar as the worker reads it (the vector as pgvector's text, the metadata as parsed). */
export const EmbeddingRowSchema = z.object({
  document_id: z.string(),
  /** The passage (0: the first, or the whole content of a short document). */
  passage_no: z.coerce.number().int().min(0).default(0),
  content_hash: z.string(),
  /** SHA-256 of the passage's text (null: the passage is the whole content, see content_hash). */
  passage_hash: z.string().nullable().default(null),
  embedding: VectorTextSchema,
  // Kept as parsed, not rebuilt by z.record: rebuilding assigns keys one by one, and a key named
  // `__proto__` would then be dropped (or become the prototype) instead of staying data.
  metadata: z
    .custom<Readonly<Record<string, unknown>>>((value) => typeof value === 'object' && !Array.isArray(value), { message: 'metadata must be a JSON object or null' })
    .nullable()
    .transform((value): Readonly<Record<string, unknown>> => value ?? {}),
  /** The model that made the embedding (empty when the query did not read it). */
  model: z.string().default(''),
  /** The start of the passage's text, for its snippet (null when the query did not read it). */
  content_head: z.string().nullable().default(null),
  /** The version of the passage's rows as read: the later updated_at of its document and embedding, as Postgres prints it (null when the query did not read it). */
  version: z.string().nullable().default(null),
  /** When the row was read: the reading statement's start, as Postgres prints it (null when the query did not read it). */
  read_at: z.string().nullable().default(null),
});
export type EmbeddingRow = z.output<typeof EmbeddingRowSchema>;

/** The OSS vector key of a passage row (`<doc>` for passage 0, `<doc>#<n>` after). */
export function rowKey(row: Pick<EmbeddingRow, 'document_id' | 'passage_no'>): string {
  return vectorKey(row.document_id, row.passage_no);
}

const VectorValuesSchema = z.array(z.number().finite()).min(1);

/** The values of pgvector's text of a document's embedding, checked; EmbeddingRowError names the document otherwise. */
export function vectorValues(text: string, documentId: string): number[] {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    value = undefined;
  }
  const parsed = VectorValuesSchema.safeParse(value);
  if (!parsed.success) throw new EmbeddingRowError(`the embedding of ${documentId} is not an array of finite numbers`, { details: { documentId } });
  return parsed.data;
}

/** Checks one row from Postgres; a bad row fails the page with the document id in the message. */
export function parseEmbeddingRow(row: Readonly<Record<string, unknown>>): EmbeddingRow {
  const parsed = EmbeddingRowSchema.safeParse(row);
  if (!parsed.success) throw new EmbeddingRowError(`embedding row ${String(row.document_id)} is malformed: ${parsed.error.issues[0]?.message ?? 'unknown'}`, { cause: parsed.error, details: { documentId: String(row.document_id) } });
  return parsed.data;
}

/** One page of a sync chunk: the passages of the ids with rows, the ids without, and what the index holds of them. */
export interface SyncPage {
  /** The current passages of the page's documents, in id then passage order. */
  readonly rows: EmbeddingRow[];
  /** Ids of the page that have no embedding row now: every vector of theirs is deleted from the index. */
  readonly gone: string[];
  /** The content hash index_state holds for each vector key of the page's documents. */
  readonly held: ReadonlyMap<string, string>;
  /** The hash of the vector last written (model and metadata), by vector key, where index_state has one. */
  readonly heldVectors: ReadonlyMap<string, string>;
  /** Vectors index_state holds past a document's current passages, or of a gone one: [document id, passage]. */
  readonly surplus: readonly (readonly [string, number])[];
  /** When the page was read (its statement's start, as Postgres prints it): recorded with its writes. */
  readonly readAt: string | null;
}

const HeldHashesSchema = z.object({ content: z.string().nullable(), vector: z.string().nullable() });

/**
 * Splits the rows of the sync page query: one per (id, passage) that is current or held, with the
 * embedding columns null where the passage is only held, and one with a null passage for an id
 * that has neither.
 */
export function parseSyncPage(rows: readonly Readonly<Record<string, unknown>>[]): SyncPage {
  const held = new Map<string, string>();
  const heldVectors = new Map<string, string>();
  const readAt = rows[0]?.read_at;
  const page: SyncPage & { rows: EmbeddingRow[]; gone: string[]; surplus: [string, number][] } = { rows: [], gone: [], held, heldVectors, surplus: [], readAt: typeof readAt === 'string' ? readAt : null };
  const current = new Set<string>();
  const heldOnly: [string, number][] = [];
  for (const row of rows) {
    const id = String(row.document_id);
    if (row.passage_no === null || row.passage_no === undefined) continue;
    const passageNo = Number(row.passage_no);
    const key = vectorKey(id, passageNo);
    const hashes = HeldHashesSchema.safeParse({ content: row.held_hash ?? null, vector: row.held_vector_hash ?? null });
    if (!hashes.success) throw new EmbeddingRowError(`index_state of ${key} holds no hash text`, { cause: hashes.error, details: { documentId: id } });
    if (hashes.data.content !== null) held.set(key, hashes.data.content);
    if (hashes.data.vector !== null) heldVectors.set(key, hashes.data.vector);
    if (row.content_hash === null || row.content_hash === undefined) heldOnly.push([id, passageNo]);
    else {
      page.rows.push(parseEmbeddingRow(row));
      current.add(id);
    }
  }
  const ids = [...new Set(rows.map((row) => String(row.document_id)))];
  page.gone.push(...ids.filter((id) => !current.has(id)));
  page.surplus.push(...heldOnly);
  return page;
}

/** The parallel arrays `vector_sync.record_outcomes` takes. */
export function outcomeArrays(outcomes: readonly Outcome[]): { ids: string[]; ops: string[]; outcomes: string[]; reasons: (string | null)[]; details: (string | null)[] } {
  return {
    ids: outcomes.map((o) => o.documentId),
    ops: outcomes.map((o) => o.op),
    outcomes: outcomes.map((o) => o.outcome),
    reasons: outcomes.map((o) => o.reason ?? null),
    // Bounded like record_rejection's callers always did: a detail is for a reader, not a dump.
    details: outcomes.map((o) => (o.detail === undefined ? null : o.detail.slice(0, 500))),
  };
}
