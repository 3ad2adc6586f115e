import { setTimeout as sleep } from 'node:timers/promises';

/** Polls `probe` until `done` holds, calling `onTick` each time; fails after `timeoutMs` with the last value. */
export async function waitFor<T>(
  probe: () => Promise<T>,
  done: (value: T) => boolean,
  options: { timeoutMs: number; intervalMs?: number; onTick?: (value: T) => void; what: string },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const value = await probe();
    options.onTick?.(value);
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${Math.round(options.timeoutMs / 1000)} s waiting for ${options.what}`);
    await sleep(options.intervalMs ?? 1000);
  }
}
