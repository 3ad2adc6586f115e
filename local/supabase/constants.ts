/**
 * Fixed values of the local Supabase. The keys are dummies: nothing local checks them, they only
 * have to be present because the edge functions read them as on Supabase.
 */
export const LocalSupabaseDefaults = {
  host: '127.0.0.1',
  dbUser: 'postgres',
  dbPassword: 'postgres',
  dbName: 'postgres',
  maxConnections: 20,
  anonKey: 'local-anon-key',
  serviceRoleKey: 'local-service-role-key',
  /** How long every edge function may take to start listening. */
  bootTimeoutMs: 30_000,
  /** Grace period between SIGTERM and SIGKILL when stopping a function. */
  stopGraceMs: 2_000,
  /** Edge Functions' wall-clock limit: a scheduled call waits no longer. */
  jobTimeoutMs: 150_000,
  functionsPath: '/functions/v1/',
} as const;
