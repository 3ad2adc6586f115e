// The settings of the edge functions: zod schemas over the environment built with shared/config.ts's
// helpers, checked once (on the first request); a failure is shared/config.ts's ConfigError,
// which names every bad variable and never its value.
import * as z from 'zod';
import { integer, LedgerConfigSchema, loadConfig, optional, required } from '../../../shared/config.ts';
import { MAX_IDS_PER_BATCH } from '../../../shared/contracts/change-events.ts';
import { IndexNameSchema } from '../../../shared/contracts/identifiers.ts';

type Env = Readonly<Record<string, string | undefined>>;

/** `true/false/1/0/yes/no`; unset or empty stays undefined (the caller picks the default). */
function flag() {
  return optional('')
    .pipe(z.enum(['', 'true', 'false', '1', '0', 'yes', 'no'], { message: 'must be true or false' }))
    .transform((value) => (value === '' ? undefined : ['true', '1', 'yes'].includes(value)));
}

/** Variables both functions read. */
const common = {
  VECTOR_SYNC_FUNCTION_KEY: required('the bearer key callers must send').min(16, 'must be at least 16 characters'),
  SUPABASE_DB_URL: LedgerConfigSchema.shape.SUPABASE_DB_URL,
  /** Reads of one message before it is parked in vector_sync.dead_letters. */
  MAX_ATTEMPTS: integer(5, 1, 100),
  /** Delays retry_or_park applies: base * 2^(read_ct-1), capped. */
  RETRY_BASE_DELAY_SECONDS: integer(10, 1, 3_600),
  RETRY_MAX_DELAY_SECONDS: integer(900, 1, 86_400),
  /** Wall time one call may spend draining; must stay under the platform's limit (150 s free). */
  TIME_BUDGET_MS: integer(100_000, 1_000, 390_000),
};

/** Which provider and model embed: embed-documents and embed-query must read the same. */
const embedder = {
  EMBEDDING_PROVIDER: optional('gte-small').pipe(z.enum(['gte-small', 'openai', 'hash'], { message: 'must be gte-small, openai or hash' })),
  EMBEDDING_MODEL: optional('text-embedding-3-small'),
  EMBEDDING_DIMENSION: integer(384, 1, 16_000),
  OPENAI_BASE_URL: optional('https://api.openai.com/v1').pipe(z.url({ message: 'must be a URL' })),
  OPENAI_API_KEY: optional(''),
  OPENAI_SEND_DIMENSIONS: flag(),
  OPENAI_TIMEOUT_MS: integer(30_000, 100, 300_000),
  OPENAI_MAX_RETRIES: integer(3, 0, 10),
};

/** The OpenAI provider needs its key. */
function checkProviderKey(config: { EMBEDDING_PROVIDER: string; OPENAI_API_KEY: string }, ctx: z.RefinementCtx): void {
  if (config.EMBEDDING_PROVIDER === 'openai' && !config.OPENAI_API_KEY) {
    ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required when EMBEDDING_PROVIDER=openai' });
  }
}

/** The settings of embed-documents. */
const EmbedConfigSchema = z
  .object({
    ...common,
    ...embedder,
    QUEUE_BATCH: integer(256, 1, 10_000),
    QUEUE_VT_SECONDS: integer(300, 10, 86_400),
    EMBED_BATCH_SIZE: integer(32, 1, 2_048),
    EMBED_CONCURRENCY: integer(4, 1, 64),
    /** Passage size and overlap in tokens, turned into characters at PASSAGE_CHARS_PER_TOKEN (docs/supabase.md, "Passages"). */
    PASSAGE_TOKENS: integer(400, 16, 8_192),
    PASSAGE_OVERLAP_TOKENS: integer(40, 0, 4_096),
    PASSAGE_CHARS_PER_TOKEN: optional('4').transform(Number).pipe(z.number({ message: 'must be a number' }).gt(0, 'must be above 0').max(16, 'must be at most 16')),
  })
  .superRefine(function checkEmbedConfig(config, ctx) {
    checkProviderKey(config, ctx);
    if (config.PASSAGE_OVERLAP_TOKENS * 2 > config.PASSAGE_TOKENS) {
      ctx.addIssue({ code: 'custom', path: ['PASSAGE_OVERLAP_TOKENS'], message: 'must be at most half of PASSAGE_TOKENS' });
    }
    // A message whose visibility ends while its batch is still running would be read twice.
    if (config.QUEUE_VT_SECONDS * 1_000 < config.TIME_BUDGET_MS + 2 * config.OPENAI_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['QUEUE_VT_SECONDS'], message: 'must exceed TIME_BUDGET_MS + 2 x OPENAI_TIMEOUT_MS (worst batch time)' });
    }
  });
export type EmbedConfig = z.output<typeof EmbedConfigSchema>;

/** The settings of publish-changes. */
const PublishConfigSchema = z
  .object({
    ...common,
    /** Most ids one cycle claims into one change batch (one run); at most MAX_IDS_PER_BATCH. */
    PUBLISH_MAX_IDS: integer(20_000, 1, MAX_IDS_PER_BATCH),
    /** While embeddings are pending (a bulk load), how long changes may wait for a fuller batch. */
    PUBLISH_MAX_WAIT_SECONDS: integer(60, 0, 3_600),
    /** How long a cycle holds the batch it claimed (or took over) before another cycle may publish it. */
    PUBLISH_VT_SECONDS: integer(300, 10, 86_400),
    /** `data.index` of the events: a logical index name as the change event's contract takes it. */
    VECTOR_INDEX: optional('documents').pipe(IndexNameSchema),
    EVENT_BUS_NAME: optional('vector-sync-changes').pipe(z.string().max(127, 'must be at most 127 characters')),
    EVENTBRIDGE_ENDPOINT: required('the EventBridge endpoint, <account-id>.eventbridge.<region>.aliyuncs.com'),
    ALIBABA_CLOUD_ACCESS_KEY_ID: required('the key id PutEvents is signed with'),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: required('the key secret PutEvents is signed with'),
    ALIBABA_CLOUD_SECURITY_TOKEN: optional(''),
    ALIBABA_CLOUD_REGION_ID: optional(''),
    PUBLISH_CALL_ATTEMPTS: integer(3, 1, 10),
    PUBLISH_TIMEOUT_MS: integer(10_000, 500, 60_000),
  })
  .superRefine(function checkPublishConfig(config, ctx) {
    const worstCall = config.PUBLISH_CALL_ATTEMPTS * (config.PUBLISH_TIMEOUT_MS + 2_000);
    if (config.PUBLISH_VT_SECONDS * 1_000 < config.TIME_BUDGET_MS + worstCall) {
      ctx.addIssue({ code: 'custom', path: ['PUBLISH_VT_SECONDS'], message: 'must exceed TIME_BUDGET_MS + the worst PutEvents call time' });
    }
  });
export type PublishConfig = z.output<typeof PublishConfigSchema>;

/** The settings of embed-query: its own bearer key (the worker's, not pg_cron's) and the embedder's. */
const EmbedQueryConfigSchema = z
  .object({
    EMBED_QUERY_KEY: required('the bearer key the worker sends').min(16, 'must be at least 16 characters'),
    ...embedder,
  })
  .superRefine(checkProviderKey);
export type EmbedQueryConfig = z.output<typeof EmbedQueryConfigSchema>;

/** What building an embedder reads. */
export type EmbedderConfig = Pick<EmbedConfig, keyof typeof embedder>;

/** Reads and checks the settings of embed-query; throws ConfigError naming the bad variables. */
export function loadEmbedQueryConfig(env: Env): EmbedQueryConfig {
  return loadConfig('embed-query', EmbedQueryConfigSchema, env);
}

/** Reads and checks the settings of embed-documents; throws ConfigError naming the bad variables. */
export function loadEmbedConfig(env: Env): EmbedConfig {
  return loadConfig('embed-documents', EmbedConfigSchema, env);
}

/** Reads and checks the settings of publish-changes; throws ConfigError naming the bad variables. */
export function loadPublishConfig(env: Env): PublishConfig {
  return loadConfig('publish-changes', PublishConfigSchema, env);
}
