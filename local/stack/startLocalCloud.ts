import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Sql } from 'postgres';
import { startCloudAssistant } from '../cloud-assistant';
import type { CloudAssistantEmulator } from '../cloud-assistant';
import { startEventBridge } from '../eventbridge';
import type { EventBridgeEmulator } from '../eventbridge';
import { LocalFunction } from '../fc';
import type { OutputSink } from '../fc';
import { startOss } from '../oss';
import type { OssEmulator } from '../oss';
import { startEcsMetadataEmulator } from '../ecs-metadata';
import { startOssVectorsEmulator } from '../oss-vectors';
import type { OssVectorsEmulator, OssVectorsEmulatorOptions } from '../oss-vectors';
import { ApiKeyPermissions, startResend } from '../resend';
import type { ResendEmulator } from '../resend';
import { startSupabase } from '../supabase';
import type { EdgeLogLine, LocalSupabase } from '../supabase';
import { Logger } from '../../shared/logging';
import { ControlPlane, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { OssObjectStore } from '../../shared/clients/oss';
import { createSql } from '../../shared/ledger';
import { deployRouting } from '../../shared/routing';
import type { RoutingChange } from '../../shared/routing';
import { createFirstIndex, publishWorkerBundle } from '../../shared/bootstrap';
import { ComponentConfigSchemas } from '../../shared/config';
import { FunctionSizing, StackDefaults } from './constants';
import type { StackFunctionName } from './constants';
import { localEmbedderSettings, localEmbedQuerySettings } from './embedQuerySettings';
import { makeLocalKeys } from './localKeys';
import type { LocalKeys } from './localKeys';

/**
 * The environment of one function: only the variables its config schema declares, picked from
 * everything the stack knows, as s.yaml gives each function only its own settings.
 */
export function functionEnvironment(name: StackFunctionName, all: Readonly<Record<string, string>>): Record<string, string> {
  const schema = ComponentConfigSchemas[name];
  const env: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = all[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}

/**
 * Writes the worker's settings file on a local instance as an operator would on ECS: KEY=value
 * lines, mode 600, in a mode 700 folder. It holds the worker's keys: they never travel in
 * RunCommand parameters.
 */
async function writeWorkerSettings(home: string, settings: Readonly<Record<string, string>>): Promise<string> {
  // Where `ecs/run-chunk.sh` looks for the worker's settings, under the instance's HOME.
  const path = join(home, '.vector-sync', 'worker.env');
  await mkdir(join(home, '.vector-sync'), { recursive: true, mode: 0o700 });
  const body = Object.entries(settings).map(([key, value]) => `${key}=${value}`).join('\n');
  await writeFile(path, `${body}\n`, { mode: 0o600 });
  // A home under this repository would inherit its `"type": "module"`, and node would load the
  // CommonJS worker bundle cached there as ESM; on a real instance no package.json is above it.
  await writeFile(join(home, '.vector-sync', 'package.json'), `${JSON.stringify({ type: 'commonjs' })}\n`);
  await chmod(path, 0o600);
  return path;
}

/** How to boot the local cloud. */
export interface LocalCloudOptions {
  /** Holds the instances' homes, the OSS and vector data, the outbox and the logs. */
  readonly workDir: string;
  /** An existing Postgres database instead of PGlite (a real server, a Supabase project's direct connection). */
  readonly databaseUrl?: string;
  /** Where `npm run build` put the bundles; default `dist`. */
  readonly distDir?: string;
  /** Receives every line a function prints. */
  readonly onFunctionOutput?: OutputSink;
  /** Receives the edge functions' and the scheduler's log lines (default: stdout). */
  readonly onServiceLog?: (line: string) => void;
  /** Overrides of function settings (e.g. a short RUN_COMMAND_TIMEOUT_SECONDS in tests). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Extra settings in the worker's file (e.g. SEARCHABLE_WAIT_SECONDS). */
  readonly workerSettings?: Readonly<Record<string, string>>;
  /** Run the edge functions on their schedule; default true. */
  readonly schedule?: boolean;
  /** Interval of the edge-function jobs instead of their '10 seconds'. */
  readonly scheduleIntervalMs?: number;
  /** How often the timer runs reconcile; false: never (call runReconcile). */
  readonly reconcileEveryMs?: number | false;
  /** How often notify's timer sends the digests that are due; false: never (invoke notify with a timer event). */
  readonly digestEveryMs?: number | false;
  /** Scales EventBridge's retry delays (tests shorten them). */
  readonly busTimeScale?: number;
  readonly instances?: readonly string[];
  readonly workerVersion?: string;
  /** Keep every event the bus delivered, per function (tests redeliver them). */
  readonly recordDeliveries?: boolean;
  /**
   * OSS Vectors' write quota per index and searchable delay; default the cloud's figures (5
   * requests and 2,500 vectors a second, about 2.5 s), as the emulator's own defaults.
   */
  readonly ossVectors?: Pick<OssVectorsEmulatorOptions, 'writeQuota' | 'searchableDelayMs'>;
  /** The URL the functions and the worker reach Postgres at, given the database's (e.g. a fault proxy's); default the database's. */
  readonly clientDatabaseUrl?: (databaseUrl: string) => Promise<string>;
}

/** A running local cloud and the handles callers need. */
export interface LocalCloud {
  readonly supabase: LocalSupabase;
  readonly eventBridge: EventBridgeEmulator;
  readonly cloudAssistant: CloudAssistantEmulator;
  readonly oss: OssEmulator;
  readonly ossVectors: OssVectorsEmulator;
  readonly resend: ResendEmulator;
  readonly functions: ReadonlyMap<StackFunctionName, LocalFunction>;
  /** An operator's connection to the database. */
  readonly sql: Sql;
  readonly keys: LocalKeys;
  /** Every setting the functions were given, by variable. */
  readonly settings: Readonly<Record<string, string>>;
  readonly routing: readonly RoutingChange[];
  readonly workerSettingsFiles: readonly string[];
  readonly workerBundle: string;
  /** Fault knob: the next `drop` TaskCompleted events are lost on the way to the bus. */
  readonly lostTaskCompleted: { drop: number };
  /** With `recordDeliveries`: what the bus delivered, in order. */
  readonly delivered: readonly { readonly functionName: StackFunctionName; readonly event: Buffer }[];
  close(): Promise<void>;
}

/**
 * Boots the whole local cloud on free ports: Supabase (Postgres with the migrations, the edge
 * functions, the scheduler), EventBridge with the project's routing deployed by the same code as in
 * the cloud, Cloud Assistant instances that run the real script, OSS, OSS Vectors, Resend and the
 * six FC functions from their bundles; then uploads the worker bundle and creates the index.
 */
export async function startLocalCloud(options: LocalCloudOptions): Promise<LocalCloud> {
  const workDir = resolve(options.workDir);
  const dist = resolve(options.distDir ?? 'dist');
  const workerBundle = join(dist, 'ecs', 'worker.js');
  const keys = makeLocalKeys();
  // A release names its version; locally each build is its own version (versions are immutable,
  // and a kept work dir still holds the bundles of earlier builds).
  const version = options.workerVersion ?? `local-${createHash('sha256').update(readFileSync(workerBundle)).digest('hex').slice(0, 12)}`;
  const instanceIds = options.instances ?? StackDefaults.instances;
  const closers: (() => Promise<unknown>)[] = [];
  const close = async (): Promise<void> => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
  };
  try {
    await mkdir(workDir, { recursive: true });
    const fcRole = keys.functionRole;
    // Each key may put events only on the buses its RAM policy names (deploy/ram/*.policy.json).
    const busKeys = [
      { ...fcRole, putEventsBuses: [StackDefaults.busName] },
      { ...keys.edgePublisher, putEventsBuses: [StackDefaults.changesBusName] },
      { ...keys.operator, putEventsBuses: [StackDefaults.busName] },
    ];
    const eventBridge = await startEventBridge({ credentials: busKeys, functions: new Map(), ...(options.busTimeScale ? { timeScale: options.busTimeScale } : {}) });
    closers.push(() => eventBridge.close());
    const account = { region: eventBridge.region, accountId: eventBridge.accountId };
    const lostTaskCompleted = { drop: 0 };
    const homes = instanceIds.map((id) => join(workDir, 'instances', id));
    const cloudAssistant = await startCloudAssistant({
      ...account,
      instances: instanceIds.map((instanceId, i) => ({ instanceId, state: 'online' as const, workDir: homes[i] ?? workDir })),
      credentials: [fcRole, keys.operator],
      onTaskCompleted: (event) => {
        if (lostTaskCompleted.drop > 0) {
          lostTaskCompleted.drop -= 1;
          return undefined;
        }
        return eventBridge.publishServiceEvent(event);
      },
    });
    closers.push(() => cloudAssistant.close());
    const oss = await startOss({ region: account.region, credentials: [fcRole, keys.operator, keys.worker], buckets: [StackDefaults.artifactsBucket], directory: join(workDir, 'oss') });
    closers.push(() => oss.close());
    const ossVectors = await startOssVectorsEmulator({ ...account, credentials: [keys.worker], dataDir: join(workDir, 'vectors'), ...options.ossVectors });
    // The instances' RAM role, as in the cloud: the worker takes its STS keys from the metadata
    // service (hardened mode) instead of keeping keys in its settings file.
    const metadata = await startEcsMetadataEmulator({ roleName: StackDefaults.workerRole, credential: keys.worker, requireToken: true });
    closers.push(() => metadata.close());
    closers.push(() => ossVectors.close());
    const resend = await startResend({ apiKeys: [{ key: keys.resendApiKey, permission: ApiKeyPermissions.fullAccess }], outboxDirectory: join(workDir, 'outbox') });
    closers.push(() => resend.close());
    const supabase = await startSupabase({
      ...(options.databaseUrl === undefined ? {} : { databaseUrl: options.databaseUrl }),
      maxConnections: StackDefaults.maxConnections,
      schedule: options.schedule ?? true,
      ...(options.scheduleIntervalMs ? { intervalOverrideMs: options.scheduleIntervalMs } : {}),
      functionKey: keys.functionKey,
      ...(options.onServiceLog
        ? { edgeLog: (entry: EdgeLogLine) => options.onServiceLog?.(`[edge:${entry.function}] ${entry.line}`), logger: new Logger({ sink: options.onServiceLog }) }
        : {}),
      functionsEnv: {
        ...localEmbedderSettings(keys),
        EVENTBRIDGE_ENDPOINT: `http://${eventBridge.endpoint}`,
        EVENT_BUS_NAME: StackDefaults.changesBusName,
        VECTOR_INDEX: StackDefaults.logicalIndex,
        ALIBABA_CLOUD_ACCESS_KEY_ID: keys.edgePublisher.accessKeyId,
        ALIBABA_CLOUD_ACCESS_KEY_SECRET: keys.edgePublisher.accessKeySecret,
        ALIBABA_CLOUD_REGION_ID: account.region,
      },
    });
    closers.push(() => supabase.close());
    const sql = createSql(supabase.dbUrl, { max: 4, applicationName: 'local-cloud-operator' });
    closers.push(() => sql.end({ timeout: 2 }));
    const clientDbUrl = options.clientDatabaseUrl ? await options.clientDatabaseUrl(supabase.dbUrl) : supabase.dbUrl;

    const settings: Record<string, string> = {
      SUPABASE_DB_URL: clientDbUrl,
      LOG_LEVEL: 'info',
      EVENTBRIDGE_ENDPOINT: `http://${eventBridge.endpoint}`,
      EVENT_BUS_NAME: StackDefaults.busName,
      ECS_REGION_ID: cloudAssistant.region,
      ECS_ENDPOINT: `http://${cloudAssistant.endpoint}`,
      ECS_INSTANCE_IDS: instanceIds.join(','),
      RUN_COMMAND_TIMEOUT_SECONDS: '300',
      WORKER_VERSION: version,
      OSS_ENDPOINT: oss.endpoint,
      OSS_BUCKET: StackDefaults.artifactsBucket,
      WORKER_PREFIX: StackDefaults.workerPrefix,
      REPORT_PREFIX: StackDefaults.reportPrefix,
      VECTOR_BUCKET: StackDefaults.vectorBucket,
      VECTOR_DIMENSION: String(StackDefaults.dimension),
      RESEND_API_KEY: keys.resendApiKey,
      RESEND_BASE_URL: resend.baseUrl,
      REPORT_FROM: StackDefaults.reportFrom,
      REPORT_TO: StackDefaults.reportTo,
      REPORT_POLICY: StackDefaults.reportPolicy,
      REPORT_DIGEST_MINUTES: String(StackDefaults.reportDigestMinutes),
      ...options.settings,
    };
    const functions = new Map<StackFunctionName, LocalFunction>();
    const delivered: { functionName: StackFunctionName; event: Buffer }[] = [];
    for (const [name, sizing] of Object.entries(FunctionSizing) as [StackFunctionName, (typeof FunctionSizing)[StackFunctionName]][]) {
      const fn = new LocalFunction(
        { name, codeDir: join(dist, 'functions', name), ...sizing, environment: functionEnvironment(name, settings), ...account, credentials: fcRole, maxInstances: 2 },
        options.onFunctionOutput,
      );
      functions.set(name, fn);
      eventBridge.functions.set(name, {
        invoke: (event: Buffer) => {
          if (options.recordDeliveries) delivered.push({ functionName: name, event });
          return fn.invoke(event);
        },
      });
    }
    closers.push(async () => {
      for (const fn of functions.values()) await fn.close();
    });

    const control = new ControlPlane(createEventBridgeClient({ endpoint: `http://${eventBridge.endpoint}`, regionId: account.region, ...keys.operator }));
    const routing = await deployRouting(control, account);

    const store = new OssObjectStore({ endpoint: oss.endpoint, bucket: StackDefaults.artifactsBucket, region: account.region, ...keys.operator });
    await publishWorkerBundle({ workerBundle, workerVersion: version, store, workerPrefix: StackDefaults.workerPrefix });
    const workerSettings = {
      SUPABASE_DB_URL: clientDbUrl,
      OSS_VECTORS_REGION: ossVectors.region,
      OSS_VECTORS_ENDPOINT: ossVectors.endpoint,
      ALIBABA_ACCOUNT_ID: ossVectors.accountId,
      VECTOR_BUCKET: StackDefaults.vectorBucket,
      ALIBABA_CLOUD_ECS_METADATA: StackDefaults.workerRole,
      ECS_METADATA_ENDPOINT: metadata.endpoint,
      // Search runs archive their results beside the reports and embed their texts at embed-query.
      OSS_ENDPOINT: oss.endpoint,
      OSS_BUCKET: StackDefaults.artifactsBucket,
      ...localEmbedQuerySettings(supabase.functionsUrl, keys),
      ...options.workerSettings,
    };
    const workerSettingsFiles = await Promise.all(homes.map((home) => writeWorkerSettings(home, workerSettings)));
    await createFirstIndex({ workerBundle, settingsFile: workerSettingsFiles[0] ?? '', indexName: StackDefaults.firstGeneration, logicalName: StackDefaults.logicalIndex, dimension: StackDefaults.dimension });

    // The two FC timer triggers of s.yaml: reconcile's tick and notify's digest tick.
    const timer = (name: 'reconcile' | 'notify', every: number | false, triggerName: string, task: string): void => {
      if (every === false) return;
      const fn = functions.get(name);
      const handle = setInterval(() => void fn?.invoke({ triggerTime: new Date().toISOString(), triggerName, payload: JSON.stringify({ task }) }), every);
      handle.unref();
      closers.push(async () => clearInterval(handle));
    };
    timer('reconcile', options.reconcileEveryMs ?? StackDefaults.reconcileEveryMs, 'reconcile-timer', 'reconcile');
    timer('notify', options.digestEveryMs ?? StackDefaults.digestEveryMs, 'digest-timer', 'digest');
    return { supabase, eventBridge, cloudAssistant, oss, ossVectors, resend, functions, sql, keys, settings, routing, workerSettingsFiles, workerBundle, lostTaskCompleted, delivered, close };
  } catch (error) {
    await close();
    throw error;
  }
}
