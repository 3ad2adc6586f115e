import postgres from 'npm:postgres@3.4.9';

/** A postgres.js client as the functions use it. */
export type Sql = ReturnType<typeof postgres>;

/**
 * A small pool over the direct database URL: two connections (the work is sequential per call),
 * no prepared statements (poolers and pglite-socket do not keep them), no notice noise.
 */
export function createSql(url: string): Sql {
  return postgres(url, { max: 2, prepare: false, idle_timeout: 20, connect_timeout: 10, onnotice: () => undefined });
}
