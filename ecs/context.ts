// What every worker command starts from: the settings file (root-only, never the command line),
// the credentials it names (static keys or the instance RAM role's STS keys), and the clients
// built from them: the worker's ledger and the OSS Vectors client.
import { readFileSync, statSync } from 'node:fs';
import { OssObjectStore } from '../shared/clients/oss';
import { OssVectorsClient } from '../shared/clients/oss-vectors';
import type { OssCredentials } from '../shared/clients/oss-vectors';
import { loadConfig, WorkerConfigSchema } from '../shared/config';
import type { WorkerConfig } from '../shared/config';
import { PermanentError } from '../shared/errors';
import { createSql } from '../shared/ledger';
import { Logger } from '../shared/logging';
import { fetchInstanceRoleCredentials } from './instanceRoleCredentials';
import type { InstanceRoleCredentialsOptions } from './instanceRoleCredentials';
import { createQueryEmbedder } from './embedQueryClient';
import { WorkerLedger } from './ledger';
import type { QueryEmbedder } from './queryEmbedder';

/** The worker's settings file is missing, unsafe or malformed. Messages never quote values. */
export class SettingsFileError extends PermanentError {}

const LINE = /^(?:export\s+)?([A-Z_][A-Z0-9_]*)=(.*)$/u;

/** Removes one pair of matching surrounding quotes; the value is taken literally otherwise. */
function unquote(raw: string): string {
  const value = raw.trim();
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) return value.slice(1, -1);
  return value;
}

/**
 * Reads `KEY=value` lines (blank lines and `#` comments allowed, optional `export` and quotes) into
 * a record, with no expansion or command substitution. A bad line is reported by number only, so
 * a secret on it never reaches a log.
 */
export function parseSettings(text: string, source: string): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const [i, line] of text.split(/\r?\n/u).entries()) {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const match = LINE.exec(trimmed);
    if (!match) throw new SettingsFileError(`${source} line ${i + 1} is not KEY=value`, { details: { source, line: i + 1 } });
    settings[match[1] ?? ''] = unquote(match[2] ?? '');
  }
  return settings;
}

/**
 * Reads the worker's settings file, refusing one that other users can read or write (the file
 * holds the database URL and keys) or that belongs to another user.
 */
export function readSettingsFile(path: string): Record<string, string> {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new SettingsFileError(`settings file ${path} cannot be read`, { cause: error, details: { path } });
  }
  if ((stat.mode & 0o077) !== 0) throw new SettingsFileError(`settings file ${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`, { details: { path } });
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new SettingsFileError(`settings file ${path} belongs to uid ${stat.uid}, not to the worker's user`, { details: { path } });
  return parseSettings(readFileSync(path, 'utf8'), path);
}

/** Reads the root-only settings file and checks it with the worker's config schema. */
function loadWorkerConfig(settingsPath: string): WorkerConfig {
  return loadConfig('worker', WorkerConfigSchema, readSettingsFile(settingsPath));
}

/** The keys the worker signs with, and where they came from (for logs; never the values). */
export interface WorkerCredentials {
  readonly mode: 'static-keys' | 'instance-role';
  readonly credentials: OssCredentials;
  /** When STS keys of the instance role stop working. */
  readonly expiration?: Date;
}

/** What resolving may override (tests: short backoff, a fake clock). */
export type WorkerCredentialsOptions = Omit<InstanceRoleCredentialsOptions, 'roleName' | 'endpoint'>;

/**
 * The worker's credentials as its settings choose (the config schema allows exactly one mode):
 * the instance RAM role's STS keys from the ECS metadata service when ALIBABA_CLOUD_ECS_METADATA
 * names a role, otherwise the static keys (with ALIBABA_CLOUD_SECURITY_TOKEN when set).
 */
export async function resolveWorkerCredentials(config: WorkerConfig, options: WorkerCredentialsOptions = {}): Promise<WorkerCredentials> {
  if (config.ALIBABA_CLOUD_ECS_METADATA !== '') {
    const sts = await fetchInstanceRoleCredentials({ ...options, roleName: config.ALIBABA_CLOUD_ECS_METADATA, endpoint: config.ECS_METADATA_ENDPOINT });
    return {
      mode: 'instance-role',
      credentials: { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken },
      expiration: sts.expiration,
    };
  }
  const token = config.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    mode: 'static-keys',
    credentials: {
      accessKeyId: config.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      ...(token === '' ? {} : { securityToken: token }),
    },
  };
}

/**
 * The OSS Vectors client of the worker: signed with `credentials` (its own keys or the instance
 * role's STS keys, see `resolveWorkerCredentials`), PutVectors and DeleteVectors paced per index at
 * INDEX_WRITE_QPS calls and INDEX_WRITE_VECTORS_PER_SECOND vectors a second, 429/5xx retried with
 * capped backoff, top-K capped at QUERY_TOPK_MAX.
 */
export function ossClientFor(config: WorkerConfig, credentials: OssCredentials): OssVectorsClient {
  return new OssVectorsClient({
    region: config.OSS_VECTORS_REGION,
    accountId: config.ALIBABA_ACCOUNT_ID,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      ...(credentials.securityToken === undefined || credentials.securityToken === '' ? {} : { securityToken: credentials.securityToken }),
    },
    ...(config.OSS_VECTORS_ENDPOINT === '' ? {} : { endpoint: config.OSS_VECTORS_ENDPOINT }),
    indexWriteQps: config.INDEX_WRITE_QPS,
    indexWriteVectorsPerSecond: config.INDEX_WRITE_VECTORS_PER_SECOND,
    limits: { maxTopK: config.QUERY_TOPK_MAX },
  });
}

/** The object store of the archive bucket, signed like the OSS Vectors calls. */
export function archiveStoreFor(config: WorkerConfig, credentials: OssCredentials): OssObjectStore {
  return new OssObjectStore({
    region: config.OSS_REGION === '' ? config.OSS_VECTORS_REGION : config.OSS_REGION,
    bucket: config.OSS_BUCKET,
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
    ...(config.OSS_ENDPOINT === '' ? {} : { endpoint: config.OSS_ENDPOINT }),
  });
}

/**
 * Postgres connections a worker opens: one for the page being read, one for the page's outcomes
 * and one per write call recording what it wrote, at most 6 (Supabase's pooler is shared).
 */
export function workerPoolSize(config: Pick<WorkerConfig, 'WORKER_WRITE_CONCURRENCY'>): number {
  return Math.min(config.WORKER_WRITE_CONCURRENCY, 4) + 2;
}

/** Everything a command needs, built once from the settings file. */
export interface WorkerContext {
  readonly config: WorkerConfig;
  readonly ledger: WorkerLedger;
  readonly oss: OssVectorsClient;
  /** The OSS bucket search runs archive their results in; undefined without OSS_BUCKET. */
  readonly archive?: OssObjectStore;
  /** The embed-query endpoint's client; undefined when the settings name none (text queries are then refused). */
  readonly queryEmbedder?: QueryEmbedder;
  readonly log: Logger;
  close(): Promise<void>;
}

/**
 * Loads the settings, resolves the credentials (static keys, or the instance RAM role's STS keys
 * from the ECS metadata service) and connects: a small Postgres pool (the next page is read while
 * the write calls in flight record what they wrote) and the OSS Vectors client. Logs go to `stderr` as JSON lines with the bound fields.
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
  const ledger = new WorkerLedger(createSql(config.SUPABASE_DB_URL, { max: workerPoolSize(config), applicationName: 'vector-sync-worker' }));
  const log = new Logger({ level: config.LOG_LEVEL, sink: stderr, fields: { component: 'worker', ...fields } });
  log.debug('credentials resolved', { mode: resolved.mode, ...(resolved.expiration ? { expiration: resolved.expiration.toISOString() } : {}) });
  const archive = config.OSS_BUCKET === '' ? undefined : archiveStoreFor(config, resolved.credentials);
  const queryEmbedder = createQueryEmbedder(config);
  return { config, ledger, oss, log, ...(archive ? { archive } : {}), ...(queryEmbedder ? { queryEmbedder } : {}), close: () => ledger.close() };
}
