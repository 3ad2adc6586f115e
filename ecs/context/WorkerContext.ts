import type { Sql } from 'postgres';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { createSql } from '../../shared/clients/postgres';
import type { WorkerConfig } from '../../shared/config';
import { Ledger } from '../../shared/ledger';
import { Logger } from '../../shared/logging';
import { WorkerLedger } from '../ledger';
import { loadWorkerConfig } from './loadWorkerConfig';
import { ossClientFor } from './ossClientFor';

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
 * Loads the settings and connects: a small Postgres pool (the worker pages one query at a time)
 * and the OSS Vectors client. Logs go to `stderr` as JSON lines with the bound fields.
 */
export function openWorkerContext(settingsPath: string, stderr: (line: string) => void, fields: Readonly<Record<string, unknown>>): WorkerContext {
  const config = loadWorkerConfig(settingsPath);
  const oss = ossClientFor(config);
  const sql = createSql(config.SUPABASE_DB_URL, { max: 3, applicationName: 'vector-sync-worker' });
  const logger = new Logger({ level: config.LOG_LEVEL, sink: stderr, fields: { component: 'worker', ...fields } });
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
