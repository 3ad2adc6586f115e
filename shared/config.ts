// Configuration: one zod schema per component over the environment, checked once at start; a
// failure names every missing or bad variable (never its value, which may be a secret).
import * as z from 'zod';
import { BucketNameSchema, InstanceIdSchema } from './contracts/identifiers.ts';
import { PermanentError } from './errors.ts';
import { checkWorkerSettings } from './workerSettingsRules.ts';

/** The environment lacks a variable or holds a bad value; names the variable. */
export class ConfigError extends PermanentError {
  readonly variables: readonly string[];

  constructor(component: string, problems: readonly { variable: string; message: string }[]) {
    const text = problems.map((p) => `${p.variable}: ${p.message}`).join('; ');
    super(`configuration of ${component} is invalid: ${text}`, {
      code: 'ConfigInvalid',
      details: { component, variables: problems.map((p) => p.variable) },
    });
    this.variables = problems.map((p) => p.variable);
  }
}

/** A required, non-empty environment variable; `what` explains it in the error. */
export function required(what: string) {
  return z.string({ message: `is not set (${what})` }).trim().min(1, `is empty (${what})`);
}

/** An optional variable: unset and empty both mean "use the default". */
export function optional(defaultValue: string) {
  return z
    .string()
    .optional()
    .transform((value) => (value === undefined || value.trim() === '' ? defaultValue : value.trim()));
}

/** An integer variable with bounds and a default. */
export function integer(defaultValue: number, min: number, max: number) {
  return optional(String(defaultValue))
    .refine((value) => /^-?\d+$/u.test(value), 'must be a whole number')
    .transform(Number)
    .pipe(
    z
      .number()
      .min(min, `must be at least ${min}`)
      .max(max, `must be at most ${max}`),
  );
}

/** A comma-separated list; each item checked with `item`. */
function list<T extends z.ZodType<unknown, string>>(item: T, what: string) {
  return required(what)
    .transform((value) => value.split(',').map((part) => part.trim()).filter((part) => part !== ''))
    .pipe(z.array(item).min(1, `lists nothing (${what})`));
}

/** An endpoint host, optionally with a port, optionally with an http(s) scheme. */
function endpoint(what: string) {
  return required(what).regex(/^(https?:\/\/)?[A-Za-z0-9.-]+(:\d{1,5})?\/?$/u, `must be a host[:port] (${what})`);
}

/** A Postgres connection URL. */
function postgresUrl(what: string) {
  return required(what).regex(/^postgres(ql)?:\/\//u, `must be a postgres:// URL (${what})`);
}

/** Log levels for the JSON logger. */
const LogLevelSchema = optional('info').pipe(
  z.enum(['debug', 'info', 'warn', 'error'], { message: 'must be debug, info, warn or error' }),
);

type Env = Readonly<Record<string, string | undefined>>;

/** Parses the environment with a component's schema; the error names every bad variable. */
export function loadConfig<TSchema extends z.ZodType>(
  component: string,
  schema: TSchema,
  env: Env = process.env,
): z.output<TSchema> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => ({
    variable: issue.path.length > 0 ? String(issue.path[0]) : '(environment)',
    message: issue.message,
  }));
  throw new ConfigError(component, problems);
}

/** A getter that parses the environment on first use and returns the same object afterwards. */
export function configGetter<TSchema extends z.ZodType>(
  component: string,
  schema: TSchema,
): (env?: Env) => z.output<TSchema> {
  let cached: z.output<TSchema> | undefined;
  return function getConfig(env: Env = process.env) {
    cached ??= loadConfig(component, schema, env);
    return cached;
  };
}

const ledger = {
  SUPABASE_DB_URL: postgresUrl('the Postgres URL of the Supabase project, where the ledger lives'),
  LOG_LEVEL: LogLevelSchema,
};

/** What every function needs to reach the ledger, and nothing else: enough to park an event when the rest of its settings are bad. */
export const LedgerConfigSchema = z.object({ SUPABASE_DB_URL: ledger.SUPABASE_DB_URL });

const publisher = {
  EVENTBRIDGE_ENDPOINT: endpoint('the EventBridge endpoint, <account-id>.eventbridge.<region>.aliyuncs.com'),
  EVENT_BUS_NAME: optional('vector-sync'),
};

const cloudAssistant = {
  ECS_REGION_ID: required('the region of the worker instances, e.g. cn-hangzhou'),
  ECS_ENDPOINT: optional(''),
  ECS_INSTANCE_IDS: list(InstanceIdSchema, 'comma-separated ids of the worker instances'),
  RUN_COMMAND_TIMEOUT_SECONDS: integer(900, 10, 86_400),
};

/** validate: opens runs from change batches and manual requests. */
export const ValidateConfigSchema = z.object({
  ...ledger,
  ...publisher,
  // The shape of a logical index's first generation (a rebuild of an index with none yet).
  VECTOR_BUCKET: BucketNameSchema,
  VECTOR_DIMENSION: integer(384, 1, 4096),
  VECTOR_METRIC: optional('cosine').pipe(z.enum(['cosine', 'euclidean'], { message: 'must be cosine or euclidean' })),
});
/**
 * How many chunks may be dispatched or running at once across the instance pool (all runs, all
 * indexes). dispatch enforces it; chunk, collect-stats and reconcile announce waiting chunks up to
 * the free slots, so they read it too.
 */
const chunkSlots = { MAX_CHUNKS_IN_FLIGHT: integer(4, 1, 256) };

/** chunk: splits a run into chunks. */
export const ChunkConfigSchema = z.object({
  ...ledger,
  ...publisher,
  ...chunkSlots,
  /** Ids per chunk of a sync run; about as many embedding rows per key range of a rebuild or verify. */
  CHUNK_MAX_IDS: integer(5_000, 1, 50_000),
});
const workerBundle = {
  WORKER_VERSION: required('the worker bundle version the instances fetch from OSS'),
  OSS_ENDPOINT: endpoint('the OSS endpoint, e.g. oss-cn-hangzhou.aliyuncs.com'),
  OSS_BUCKET: required('the OSS bucket that holds the worker bundles and the report archive'),
  WORKER_PREFIX: optional('workers/'),
};

/** dispatch: sends a chunk to a worker instance. */
export const DispatchConfigSchema = z.object({ ...ledger, ...cloudAssistant, ...workerBundle, ...chunkSlots });
/** collect-stats: closes runs and publishes `vectorsync.run.completed`. */
export const CollectStatsConfigSchema = z.object({ ...ledger, ...publisher, ...chunkSlots, MAX_CHUNK_ATTEMPTS: integer(3, 1, 10) });
/** reconcile: finds silent chunks and re-dispatches or fails them. */
export const ReconcileConfigSchema = z.object({
  ...ledger,
  ...publisher,
  ...cloudAssistant,
  ...chunkSlots,
  MAX_CHUNK_ATTEMPTS: integer(3, 1, 10),
  /** Seconds past RUN_COMMAND_TIMEOUT_SECONDS before an in-flight chunk counts as silent; also the grace of an unconfirmed completion claim. */
  RECONCILE_GRACE_SECONDS: integer(120, 0, 3_600),
  /** Seconds a chunk may wait in 'ready' before its chunk.ready is published again. */
  READY_STALE_SECONDS: integer(300, 0, 86_400),
});
/** Which finished runs notify e-mails at once (docs/architecture.md, "Reports and digests"). */
export const ReportPolicy = { Digest: 'digest', EveryRun: 'every-run', FailuresOnly: 'failures-only' } as const;
export type ReportPolicy = (typeof ReportPolicy)[keyof typeof ReportPolicy];

/** notify: archives every run report in OSS, e-mails the ones its policy says, and sends the digests. */
export const NotifyConfigSchema = z.object({
  ...ledger,
  RESEND_API_KEY: required('the Resend API key'),
  RESEND_BASE_URL: optional(''),
  REPORT_FROM: required('the sender address of the report, on a domain verified in Resend'),
  REPORT_TO: list(z.email({ message: 'must be an e-mail address' }), 'comma-separated report recipients'),
  OSS_ENDPOINT: endpoint('the OSS endpoint, e.g. oss-cn-hangzhou.aliyuncs.com'),
  OSS_BUCKET: required('the OSS bucket that holds the worker bundles and the report archive'),
  REPORT_PREFIX: optional('reports/'),
  // Optional: a RAM user that may only read the report archive (deploy/ram/report-link-user.policy.json).
  // The e-mail's link is presigned with it and lives 7 days; without it the link is signed with the
  // function role's STS keys and dies with them (within a day and a half).
  REPORT_LINK_ACCESS_KEY_ID: optional(''),
  REPORT_LINK_ACCESS_KEY_SECRET: optional(''),
  // Failed runs are e-mailed at once under every policy; `digest` also e-mails manual runs at once
  // and sums change-driven syncs into one digest per index and window; `every-run` e-mails every
  // run; `failures-only` e-mails nothing else and sends no digest.
  REPORT_POLICY: optional(ReportPolicy.Digest).pipe(z.enum(Object.values(ReportPolicy), { message: 'must be digest, every-run or failures-only' })),
  /** Length of a digest window in minutes; windows start at multiples of it since the epoch (UTC). */
  REPORT_DIGEST_MINUTES: integer(60, 1, 1440),
});
/** A RAM role name as the ECS metadata service takes it in the path: 1-64 letters, digits, `.`, `-`, `_`. */
const RAM_ROLE_NAME = /^[A-Za-z0-9._-]{1,64}$/u;

/** The ECS worker. */
export const WorkerConfigSchema = z.object({
  ...ledger,
  OSS_VECTORS_REGION: required('the OSS Vectors region, e.g. cn-hangzhou'),
  OSS_VECTORS_ENDPOINT: optional(''),
  ALIBABA_ACCOUNT_ID: required('the Alibaba Cloud account id (part of the vectors host)'),
  VECTOR_BUCKET: BucketNameSchema,
  // Exactly one credential mode (checked below). Either the instance RAM role, whose STS keys come
  // from the ECS metadata service (same variable as @alicloud/credentials) ...
  ALIBABA_CLOUD_ECS_METADATA: optional('').refine((value) => value === '' || RAM_ROLE_NAME.test(value), 'must be a RAM role name (letters, digits, ".", "-", "_"; at most 64)'),
  ECS_METADATA_ENDPOINT: optional('http://100.100.100.200').pipe(
    z.string().regex(/^https?:\/\/[A-Za-z0-9.-]+(:\d{1,5})?\/?$/u, 'must be an http(s)://host[:port] URL (the ECS metadata service)'),
  ),
  // ... or the worker's own keys (a RAM user limited to the one vector bucket); the settings file is root-only.
  ALIBABA_CLOUD_ACCESS_KEY_ID: optional(''),
  ALIBABA_CLOUD_ACCESS_KEY_SECRET: optional(''),
  ALIBABA_CLOUD_SECURITY_TOKEN: optional(''),
  /**
   * An index's write quota: PutVectors + DeleteVectors calls per second, and vectors written plus
   * keys deleted per second (the cloud's 5 calls and 2,500 vectors). The chunks of one logical index
   * running at once share both.
   */
  INDEX_WRITE_QPS: integer(5, 1, 1000),
  INDEX_WRITE_VECTORS_PER_SECOND: integer(2500, 1, 1_000_000),
  /** Write calls (PutVectors, DeleteVectors) one chunk keeps in flight at once. */
  WORKER_WRITE_CONCURRENCY: integer(5, 1, 32),
  QUERY_TOPK_MAX: integer(30, 1, 100),
  /** Rows read from Postgres per page (PutVectors batches are filled to 500 across pages). */
  WORKER_BATCH_ROWS: integer(500, 1, 500),
  /** Vectors per chunk checked by the validation query. */
  VALIDATION_SAMPLE: integer(3, 0, 50),
  /** How long the validation query waits, at most, for new vectors to become searchable. */
  SEARCHABLE_WAIT_SECONDS: integer(30, 0, 600),
  /** Characters of the document each vector carries as its non-filterable `snippet` (0 = none). */
  SNIPPET_CHARS: integer(200, 0, 1000),
  /** Documents a verify run samples to measure recall@RECALL_K against an exact search in Postgres (0 = off). */
  RECALL_SAMPLE: integer(20, 0, 200),
  RECALL_K: integer(10, 1, 100),
  /** Where search runs archive their results (the bucket of the reports); '' = not archived. */
  OSS_BUCKET: optional(''),
  /** OSS endpoint of that bucket (e.g. https://oss-cn-hangzhou-internal.aliyuncs.com); '' = the region's public one. */
  OSS_ENDPOINT: optional(''),
  /** Region of that bucket; '' = OSS_VECTORS_REGION. */
  OSS_REGION: optional(''),
  SEARCH_ARCHIVE_PREFIX: optional('searches/'),
  /** The embed-query edge function search runs embed their texts with; '' = text queries are refused. */
  EMBED_QUERY_URL: optional('').pipe(z.union([z.literal(''), z.url({ message: 'must be a URL' })])),
  /** Its bearer key (required with the URL; the settings file is root-only). */
  EMBED_QUERY_KEY: optional(''),
  EMBED_QUERY_TIMEOUT_MS: integer(10_000, 500, 60_000),
}).check((ctx) => {
  // Runs even when other variables are bad, so every problem is named at once (`.check` keeps `.shape`).
  const env = (typeof ctx.value === 'object' && ctx.value !== null ? ctx.value : {}) as Readonly<Record<string, unknown>>;
  checkWorkerSettings(env, (variable, message) => {
    ctx.issues.push({ code: 'custom', input: env[variable], path: [variable], message });
  });
});

export type ValidateConfig = z.output<typeof ValidateConfigSchema>;
export type ChunkConfig = z.output<typeof ChunkConfigSchema>;
export type DispatchConfig = z.output<typeof DispatchConfigSchema>;
export type CollectStatsConfig = z.output<typeof CollectStatsConfigSchema>;
export type ReconcileConfig = z.output<typeof ReconcileConfigSchema>;
export type NotifyConfig = z.output<typeof NotifyConfigSchema>;
export type WorkerConfig = z.output<typeof WorkerConfigSchema>;

/** Every component's schema by name: deploy checks use it to prove s.yaml sets what each needs. */
export const ComponentConfigSchemas = {
  validate: ValidateConfigSchema,
  chunk: ChunkConfigSchema,
  dispatch: DispatchConfigSchema,
  'collect-stats': CollectStatsConfigSchema,
  reconcile: ReconcileConfigSchema,
  notify: NotifyConfigSchema,
  worker: WorkerConfigSchema,
} as const;
