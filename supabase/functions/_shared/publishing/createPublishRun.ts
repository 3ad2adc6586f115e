import { createSql } from '../db/createSql.ts';
import type { Sql } from '../db/createSql.ts';
import { PostgresStore } from '../db/PostgresStore.ts';
import { AlicloudEventSender } from '../eventbridge/AlicloudEventSender.ts';
import type { PublishConfig } from '../publishConfig.ts';
import type { JobAnswer, Logger } from '../types.ts';
import { drainChanges } from './drainChanges.ts';

/** The publish-changes run; the pool and the SDK client live as long as the instance. */
export function createPublishRun(): (config: PublishConfig, log: Logger) => Promise<JobAnswer> {
  let sql: Sql | undefined;
  let sender: AlicloudEventSender | undefined;
  return async function runPublishChanges(config, log) {
    sql ??= createSql(config.SUPABASE_DB_URL);
    sender ??= await AlicloudEventSender.create(config);
    const store = new PostgresStore(sql, { baseSeconds: config.RETRY_BASE_DELAY_SECONDS, maxSeconds: config.RETRY_MAX_DELAY_SECONDS });
    const counts = await drainChanges(
      { store, sender, log, maxAttempts: config.MAX_ATTEMPTS },
      { index: config.VECTOR_INDEX, batch: config.PUBLISH_BATCH, vtSeconds: config.PUBLISH_VT_SECONDS, budgetMs: config.TIME_BUDGET_MS },
    );
    const status = counts.retried + counts.parked > 0 ? 207 : 200;
    return { status, body: { bus: config.EVENT_BUS_NAME, index: config.VECTOR_INDEX, ...counts } };
  };
}
