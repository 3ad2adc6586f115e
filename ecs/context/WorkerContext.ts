import type { Sql } from 'postgres';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { createSql } from '../../shared/clients/postgres';
import type { WorkerConfig } from '../../shared/config';
import { Ledger } from '../../shared/ledger';
import { Logger } from '../../shared/logging';
import { WorkerLedger } from '../ledger';
import { loadWorkerConfig } from './loadWorkerConfig';
import { ossClientFor } from './ossClientFor';
import { resolveWorkerCredentials } from './resolveWorkerCredentials';

/** Everything a command needs, built once from the settings file. */
export interface WorkerContext {
  readonly config: WorkerConfig;
  readonly sql: Sql;
  readonly ledger: Ledger;
  readonly store: WorkerLedger;
  readonly oss: OssVectorsClient;
  readonly logger: Logger;
  close(): Promise<void>;
}

/**
 * Loads the settings, resolves the credentials (static keys, or the instance RAM role's STS keys
 * from the ECS metadata service) and connects: a small Postgres pool (the worker pages one query
 * at a time) and the OSS Vectors client. Logs go to `stderr` as JSON lines with the bound fields.
 */
export async function openWorkerContext(
  settingsPath: string,
  stderr: (line: string) => void,
  fields: Readonly<Record<string, unknown>>,
): Promise<WorkerContext> {
  const config = loadWorkerConfig(settingsPath);
  // Before the pool opens: a failure here leaves nothing to close.
  const resolved = await resolveWorkerCredentials(config);
  const oss = ossClientFor(config, resolved.credentials);
  const sql = createSql(config.SUPABASE_DB_URL, { max: 3, applicationName: 'vector-sync-worker' });
  const logger = new Logger({ level: config.LOG_LEVEL, sink: stderr, fields: { component: 'worker', ...fields } });
  logger.debug('credentials resolved', { mode: resolved.mode, ...(resolved.expiration ? { expiration: resolved.expiration.toISOString() } : {}) });
  return {
    config,
    sql,
    ledger: new Ledger(sql),
    store: new WorkerLedger(sql),
    oss,
    logger,
    close: () => sql.end({ timeout: 5 }),
  };
}
