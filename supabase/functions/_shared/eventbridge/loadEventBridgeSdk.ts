import os from 'node:os';

/**
 * Loads `@alicloud/eventbridge`. Its dependency kitx calls `os.hostname()` while loading, which a
 * `deno run` without `--allow-sys` refuses (Supabase's runtime allows it); the name only seeds a
 * nonce, so a fixed one is put in its place when the real one is not readable.
 */
// deno-lint-ignore explicit-function-return-type
export async function loadEventBridgeSdk() {
  try {
    os.hostname();
  } catch {
    (os as unknown as { hostname: () => string }).hostname = () => 'supabase-edge';
  }
  return await import('npm:@alicloud/eventbridge@1.3.2');
}

/** The SDK module as loaded. */
export type EventBridgeSdk = Awaited<ReturnType<typeof loadEventBridgeSdk>>;
