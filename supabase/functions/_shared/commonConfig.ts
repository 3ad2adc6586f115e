import * as z from 'npm:zod@4.6.7';
import { intVar } from './parseEnv.ts';

/** Variables both functions read. */
export const CommonConfigShape = {
  VECTOR_SYNC_FUNCTION_KEY: z.string({ error: 'is not set' }).min(16, 'must be at least 16 characters'),
  SUPABASE_DB_URL: z.string({ error: 'is not set' }).regex(/^postgres(ql)?:\/\//u, 'must be a postgres:// URL'),
  /** Reads of one message before it is parked in vector_sync.dead_letters. */
  MAX_ATTEMPTS: intVar(5, 1, 100),
  /** Delays retry_or_park applies: base * 2^(read_ct-1), capped. */
  RETRY_BASE_DELAY_SECONDS: intVar(10, 1, 3_600),
  RETRY_MAX_DELAY_SECONDS: intVar(900, 1, 86_400),
  /** Wall time one call may spend draining; must stay under the platform's limit (150 s free). */
  TIME_BUDGET_MS: intVar(100_000, 1_000, 390_000),
} as const;
