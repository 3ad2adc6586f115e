// The bench's embedding provider on its own thread, so that its 200 ms timers and HTTP answers do
// not wait behind PGlite (wasm, synchronous) on the bench's main thread. Same fake server, same
// latency and capacity: only the event loop is its own.
import { parentPort, workerData } from 'node:worker_threads';
import { startFakeEmbeddingServer } from '../../tests/helpers/fakeEmbeddingServer';

const { latencyMs, maxInputs, capacity } = workerData as { latencyMs: number; maxInputs: number; capacity: number };

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Admits `capacity` requests at once; the rest wait their turn. Adds up the time slots are held. */
let active = 0;
let busyMs = 0;
const waiting: (() => void)[] = [];
const server = await startFakeEmbeddingServer(async (inputs) => {
  if (inputs.length > maxInputs) return { status: 400 };
  if (active >= capacity) await new Promise<void>((resolve) => waiting.push(resolve));
  active += 1;
  // BENCH_TRACE=1: one stderr line per admitted request (time, requests in flight) to see idle gaps.
  if (process.env.BENCH_TRACE) process.stderr.write(`provider +${Math.round(performance.now())} ${active}\n`);
  const admitted = performance.now();
  await sleep(latencyMs);
  busyMs += performance.now() - admitted;
  active -= 1;
  waiting.shift()?.();
  return { status: 200 };
});

parentPort?.on('message', (message: string) => {
  if (message === 'stats') parentPort?.postMessage({ requests: server.requests, busyMs });
  if (message === 'close') void server.close().then(() => parentPort?.close());
});
parentPort?.postMessage({ baseUrl: server.baseUrl });
