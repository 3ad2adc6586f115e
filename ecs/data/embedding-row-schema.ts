import * as z from 'zod';

// pgvector prints a vector as `[0.1,-2,3e-05]`, which is JSON.
const VectorTextSchema = z.string().transform((text, ctx) => {
  try {
    const values: unknown = JSON.parse(text);
    const parsed = z.array(z.number()).safeParse(values);
    if (parsed.success) return parsed.data;
  } catch {
    // reported below
  }
  ctx.addIssue({ code: 'custom', message: 'embedding is not a pgvector array of numbers' });
  return z.NEVER;
});

/** A row of `document_embeddings` joined to its document's metadata, as the worker reads it. */
export const EmbeddingRowSchema = z.object({
  document_id: z.string(),
  content_hash: z.string(),
  embedding: VectorTextSchema,
  metadata: z.record(z.string(), z.unknown()).nullable().transform((value) => value ?? {}),
});
export type EmbeddingRow = z.output<typeof EmbeddingRowSchema>;
