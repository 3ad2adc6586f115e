import type { Sql } from 'postgres';
import * as z from 'zod';
import { CorpusDefaults } from './constants';
import { CorpusOptionsError } from './errors';
import type { LoadCorpusOptions, SampleDocument } from './types';

const BatchSizeSchema = z.number().int().min(1).max(CorpusDefaults.maxBatchSize);

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
