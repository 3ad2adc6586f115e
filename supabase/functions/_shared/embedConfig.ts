import * as z from 'npm:zod@4.6.7';
import { CommonConfigShape } from './commonConfig.ts';
import { boolVar, intVar, parseEnv } from './parseEnv.ts';

/** The settings of embed-documents. */
export const EmbedConfigSchema = z
  .object({
    ...CommonConfigShape,
    EMBEDDING_PROVIDER: z.enum(['gte-small', 'openai', 'hash'], { error: 'must be gte-small, openai or hash' }).default('gte-small'),
    EMBEDDING_MODEL: z.string().min(1).default('text-embedding-3-small'),
    EMBEDDING_DIMENSION: intVar(384, 1, 16_000),
    QUEUE_BATCH: intVar(256, 1, 10_000),
    QUEUE_VT_SECONDS: intVar(300, 10, 86_400),
    EMBED_BATCH_SIZE: intVar(32, 1, 2_048),
    EMBED_CONCURRENCY: intVar(4, 1, 64),
    OPENAI_BASE_URL: z.url({ error: 'must be a URL' }).default('https://api.openai.com/v1'),
    OPENAI_API_KEY: z.string().min(1).optional(),
    OPENAI_SEND_DIMENSIONS: boolVar.optional(),
    OPENAI_TIMEOUT_MS: intVar(30_000, 100, 300_000),
    OPENAI_MAX_RETRIES: intVar(3, 0, 10),
  })
  .superRefine(function checkEmbedConfig(config, ctx) {
    if (config.EMBEDDING_PROVIDER === 'openai' && !config.OPENAI_API_KEY) {
      ctx.addIssue({ code: 'custom', path: ['OPENAI_API_KEY'], message: 'is required when EMBEDDING_PROVIDER=openai' });
    }
    // A message whose visibility ends while its batch is still running would be read twice.
    if (config.QUEUE_VT_SECONDS * 1_000 < config.TIME_BUDGET_MS + 2 * config.OPENAI_TIMEOUT_MS) {
      ctx.addIssue({ code: 'custom', path: ['QUEUE_VT_SECONDS'], message: 'must exceed TIME_BUDGET_MS + 2 x OPENAI_TIMEOUT_MS (worst batch time)' });
    }
  });
export type EmbedConfig = z.infer<typeof EmbedConfigSchema>;

/** Reads and checks the settings once; throws ConfigError naming the bad variables. */
export function loadEmbedConfig(env: Readonly<Record<string, string | undefined>>): EmbedConfig {
  return parseEnv(EmbedConfigSchema, env);
}
