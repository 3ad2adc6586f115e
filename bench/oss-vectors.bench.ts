// The local OSS Vectors emulator, in its own process, over HTTP: how many 1,536-dim vectors per
// second it accepts through PutVectors (bodies serialised beforehand, each request signed and sent
// at once, so the figure is the emulator's and not the sender's), the same load through our full
// client for comparison, then exact top-10 QueryVectors latency over 100k x 384. One JSON line.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { OssVectorsClient, signRequest } from '../shared/clients/oss-vectors';
import { sendHttp } from '../shared/clients/oss-vectors/OssVectorsTransport';

// The first `warmup` batches of each measurement let the JIT settle and are not counted.
const PUT = { dimension: 1536, batches: 40, warmup: 4, batchSize: 500, concurrency: 4 } as const;
const SEARCH = { dimension: 384, vectors: 100_000, queries: 50, topK: 10 } as const;
const LIMITS = { putVectorsPerSecond: 5000, queryMedianMs: 50 } as const;

// Values with 8 significant digits, as pgvector's float4 text hands them to the worker.
function randomVector(dimension: number): number[] {
  return Array.from({ length: dimension }, () => Number((Math.random() * 2 - 1).toPrecision(8)));
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? Number.NaN;
}

function round(value: number): number {
  return Math.round(value * 10) / 10;
}

interface ServerInfo {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly credential: { readonly accessKeyId: string; readonly accessKeySecret: string };
}

const SERVE_FLAG = '--serve';

// The emulator stands in for the cloud, so it gets its own process (and core), as in `npm start`:
// this same file run with `--serve`.
async function startServer(): Promise<{ info: ServerInfo; stop: () => Promise<void> }> {
  const script = fileURLToPath(import.meta.url);
  // BENCH_SERVER_ARGS passes Node flags to the emulator process, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
  const child = spawn(process.execPath, [...(process.env.BENCH_SERVER_ARGS?.split(' ') ?? []), '--import', 'tsx', script, SERVE_FLAG], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const [line] = (await once(lines, 'line')) as [string];
  return {
    info: JSON.parse(line) as ServerInfo,
    stop: async () => {
      child.stdin.end();
      await once(child, 'exit');
    },
  };
}

/** The emulator's process: prints one JSON line with its endpoint and credential, then serves until stdin closes. */
async function serve(): Promise<void> {
  // Imported here, so the measuring process does not load the emulator.
  const { startOssVectorsEmulator } = await import('../local/oss-vectors');
  // The emulator's own speed is measured: no write quota, no searchable delay.
  const emulator = await startOssVectorsEmulator({ writeQuota: false, searchableDelayMs: 0 });
  const credential = emulator.credentials[0];
  process.stdout.write(`${JSON.stringify({ endpoint: emulator.endpoint, region: emulator.region, accountId: emulator.accountId, credential })}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => {
    void emulator.close().then(() => process.exit(0));
  });
}

/** Runs jobs [0, warmup) untimed, then [warmup, warmup + count) over `concurrency` lanes; returns the timed wall seconds. */
async function timed(concurrency: number, warmup: number, count: number, job: (n: number) => Promise<void>): Promise<number> {
  const lanes = async (from: number, to: number): Promise<void> => {
    let next = from;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        for (let n = next++; n < to; n = next++) await job(n);
      }),
    );
  };
  await lanes(0, warmup);
  const started = performance.now();
  await lanes(warmup, warmup + count);
  return (performance.now() - started) / 1000;
}

async function main(): Promise<void> {
  const server = await startServer();
  const emulator = server.info;
  const credential = emulator.credential;
  const client = new OssVectorsClient({
    region: emulator.region,
    accountId: emulator.accountId,
    credentials: { accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' },
    endpoint: emulator.endpoint,
    indexWriteQps: 1000, indexWriteVectorsPerSecond: 1_000_000,
  });
  process.stderr.write('preparing 12,000 x 1536 vectors...\n');
  const batches = Array.from({ length: PUT.warmup + PUT.batches }, (_, b) => Array.from({ length: PUT.batchSize }, (_, i) => ({ key: `w-${b}-${i}`, data: randomVector(PUT.dimension) })));
  const wide = { dimension: PUT.dimension, distanceMetric: 'cosine' } as const;

  // Emulator accept rate: the wire bodies exist before the clock starts. They are built before any
  // call, so no keep-alive socket sits idle (and gets closed by the server) while the loop is busy.
  const bodies = batches.map((vectors) => {
    const body = Buffer.from(JSON.stringify({ indexName: 'wide', vectors: vectors.map((v) => ({ key: v.key, data: { float32: v.data } })) }));
    return { body, md5: createHash('md5').update(body).digest('base64') };
  });
  try {
    await client.putVectorBucket('bench');
    await client.putVectorIndex({ bucket: 'bench', indexName: 'wide', dimension: PUT.dimension, distanceMetric: 'cosine' });
    await client.putVectorIndex({ bucket: 'bench', indexName: 'narrow', dimension: SEARCH.dimension, distanceMetric: 'cosine' });
    const host = `bench-${emulator.accountId}.${emulator.region}.oss-vectors.aliyuncs.com`;
    process.stderr.write('PutVectors 1536-dim, emulator accept rate...\n');
    const acceptSeconds = await timed(PUT.concurrency, PUT.warmup, PUT.batches, async (b) => {
      const { body, md5 } = bodies[b]!;
      const headers = signRequest({
        method: 'POST',
        region: emulator.region,
        accountId: emulator.accountId,
        bucket: 'bench',
        rawQuery: 'putVectors',
        headers: { host, 'content-type': 'application/json', 'content-md5': md5 },
        credentials: credential,
        date: new Date(),
      });
      const answer = await sendHttp({ origin: new URL(emulator.endpoint), method: 'POST', path: '/?putVectors', headers, body, timeoutMs: 60_000 });
      if (answer.status !== 200) throw new Error(`PutVectors answered ${answer.status}: ${answer.body.toString('utf8')}`);
    });
    const acceptPerSecond = Math.round((PUT.batches * PUT.batchSize) / acceptSeconds);

    // The same load through our client: checks, serialisation, MD5, signing, retries.
    process.stderr.write('PutVectors 1536-dim, through OssVectorsClient...\n');
    const clientSeconds = await timed(PUT.concurrency, PUT.warmup, PUT.batches, (b) => client.putVectors({ bucket: 'bench', indexName: 'wide', index: wide, vectors: batches[b] ?? [] }));
    const clientPerSecond = Math.round((PUT.batches * PUT.batchSize) / clientSeconds);

    const narrow = { dimension: SEARCH.dimension, distanceMetric: 'cosine' } as const;
    for (let b = 0; b < SEARCH.vectors / 500; b += 1) {
      if (b % 20 === 0) process.stderr.write(`\rloading 100k x 384: ${b * 500}`);
      const vectors = Array.from({ length: 500 }, (_, i) => ({ key: `n-${b}-${i}`, data: randomVector(SEARCH.dimension) }));
      await client.putVectors({ bucket: 'bench', indexName: 'narrow', index: narrow, vectors });
    }
    process.stderr.write('\nQueryVectors top-10...\n');
    const samples: number[] = [];
    for (let q = 0; q < SEARCH.queries + 5; q += 1) {
      const t = performance.now();
      await client.queryVectors({ bucket: 'bench', indexName: 'narrow', index: narrow, queryVector: randomVector(SEARCH.dimension), topK: SEARCH.topK, returnDistance: true });
      // The first few queries warm up the JIT and are not counted.
      if (q >= 5) samples.push(performance.now() - t);
    }
    const sorted = samples.sort((a, b) => a - b);
    const queryMs = { median: round(percentile(sorted, 0.5)), p95: round(percentile(sorted, 0.95)), queries: SEARCH.queries };
    const result = {
      bench: 'oss-vectors',
      putVectors: {
        dimension: PUT.dimension,
        vectors: PUT.batches * PUT.batchSize,
        batchSize: PUT.batchSize,
        concurrency: PUT.concurrency,
        emulatorAcceptsPerSecond: acceptPerSecond,
        throughClientPerSecond: clientPerSecond,
      },
      query: { vectors: SEARCH.vectors, dimension: SEARCH.dimension, topK: SEARCH.topK, ...queryMs },
      node: process.versions.node,
      limits: LIMITS,
      pass: acceptPerSecond >= LIMITS.putVectorsPerSecond && queryMs.median < LIMITS.queryMedianMs,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await server.stop();
  }
}

if (process.argv.includes(SERVE_FLAG)) await serve();
else await main();
