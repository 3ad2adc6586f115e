import { createSql } from '../db/createSql.ts';
import type { Sql } from '../db/createSql.ts';
import { PostgresStore } from '../db/PostgresStore.ts';
import type { EmbedConfig } from '../embedConfig.ts';
import { createEmbedder } from '../embedders/createEmbedder.ts';
import type { Embedder } from '../embedders/types.ts';
import { DimensionMismatchError } from '../errors.ts';
import type { JobAnswer, Logger } from '../types.ts';
import { drainEmbeddingJobs } from './drainEmbeddingJobs.ts';

/**
 * The embed-documents run. The database pool, the embedder (a loaded model for gte-small) and the
 * checked column dimension live as long as the instance; a mismatch is checked again on every
 * call until it passes, so a fixed deployment recovers without a restart.
 */
export function createEmbedRun(): (config: EmbedConfig, log: Logger) => Promise<JobAnswer> {
  let sql: Sql | undefined;
  let embedder: Embedder | undefined;
  let checked = false;
  return async function runEmbedDocuments(config, log) {
    sql ??= createSql(config.SUPABASE_DB_URL);
    embedder ??= createEmbedder(config);
    const store = new PostgresStore(sql, { baseSeconds: config.RETRY_BASE_DELAY_SECONDS, maxSeconds: config.RETRY_MAX_DELAY_SECONDS });
    if (!checked) {
      const column = await store.embeddingColumnDimension();
      if (column !== embedder.dimension) throw new DimensionMismatchError(column, embedder.dimension, embedder.model);
      checked = true;
    }
    const counts = await drainEmbeddingJobs(
      { store, embedder, log, maxAttempts: config.MAX_ATTEMPTS },
      { queueBatch: config.QUEUE_BATCH, vtSeconds: config.QUEUE_VT_SECONDS, budgetMs: config.TIME_BUDGET_MS, batchSize: config.EMBED_BATCH_SIZE, concurrency: config.EMBED_CONCURRENCY },
    );
    // Partial failure is not success: 207 says some messages will come back or were parked.
    const status = counts.retried + counts.parked > 0 ? 207 : 200;
    return { status, body: { model: embedder.model, ...counts } };
  };
}
