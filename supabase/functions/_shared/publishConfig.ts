import * as z from 'npm:zod@4.6.7';
import { CommonConfigShape } from './commonConfig.ts';
import { intVar, parseEnv } from './parseEnv.ts';

/** The settings of publish-changes. */
export const PublishConfigSchema = z
  .object({
    ...CommonConfigShape,
    PUBLISH_BATCH: intVar(5_000, 1, 20_000),
    PUBLISH_VT_SECONDS: intVar(300, 10, 86_400),
    VECTOR_INDEX: z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/u, 'must be 3-63 of a-z, 0-9 and -').default('documents'),
    EVENT_BUS_NAME: z.string().min(1).max(127).default('vector-sync'),
    EVENTBRIDGE_ENDPOINT: z.string({ error: 'is not set' }).min(1, 'is empty'),
    ALIBABA_CLOUD_ACCESS_KEY_ID: z.string({ error: 'is not set' }).min(1),
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: z.string({ error: 'is not set' }).min(1),
    ALIBABA_CLOUD_SECURITY_TOKEN: z.string().min(1).optional(),
    ALIBABA_CLOUD_REGION_ID: z.string().min(1).optional(),
    PUBLISH_CALL_ATTEMPTS: intVar(3, 1, 10),
    PUBLISH_TIMEOUT_MS: intVar(10_000, 500, 60_000),
  })
  .superRefine(function checkPublishConfig(config, ctx) {
    const worstCall = config.PUBLISH_CALL_ATTEMPTS * (config.PUBLISH_TIMEOUT_MS + 2_000);
    if (config.PUBLISH_VT_SECONDS * 1_000 < config.TIME_BUDGET_MS + worstCall) {
      ctx.addIssue({ code: 'custom', path: ['PUBLISH_VT_SECONDS'], message: 'must exceed TIME_BUDGET_MS + the worst PutEvents call time' });
    }
  });
export type PublishConfig = z.infer<typeof PublishConfigSchema>;

/** Reads and checks the settings once; throws ConfigError naming the bad variables. */
export function loadPublishConfig(env: Readonly<Record<string, string | undefined>>): PublishConfig {
  return parseEnv(PublishConfigSchema, env);
}
