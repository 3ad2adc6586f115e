// OSS Vectors through our client over HTTP against the local emulator: PutVectors throughput with
// 1,536-dim vectors, then exact top-10 QueryVectors latency over 100k x 384. Prints one JSON line.
import { startOssVectorsEmulator } from '../local/oss-vectors';
import { OssVectorsClient } from '../shared/clients/oss-vectors';

const PUT = { dimension: 1536, batches: 24, batchSize: 500, concurrency: 4 } as const;
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

async function main(): Promise<void> {
  const emulator = await startOssVectorsEmulator();
  const credential = emulator.credentials[0];
  const client = new OssVectorsClient({
    region: emulator.region,
    accountId: emulator.accountId,
    credentials: { accessKeyId: credential?.accessKeyId ?? '', accessKeySecret: credential?.accessKeySecret ?? '' },
    endpoint: emulator.endpoint,
    putVectorsQps: 1000,
  });
  try {
    await client.putVectorBucket('bench');
    await client.putVectorIndex({ bucket: 'bench', indexName: 'wide', dimension: PUT.dimension, distanceMetric: 'cosine' });
    await client.putVectorIndex({ bucket: 'bench', indexName: 'narrow', dimension: SEARCH.dimension, distanceMetric: 'cosine' });
    const batches = Array.from({ length: PUT.batches }, (_, b) => Array.from({ length: PUT.batchSize }, (_, i) => ({ key: `w-${b}-${i}`, data: randomVector(PUT.dimension) })));
    const wide = { dimension: PUT.dimension, distanceMetric: 'cosine' } as const;
    process.stderr.write('PutVectors 1536-dim...\n');
    const started = performance.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: PUT.concurrency }, async () => {
        for (let b = next++; b < batches.length; b = next++) await client.putVectors({ bucket: 'bench', indexName: 'wide', index: wide, vectors: batches[b] ?? [] });
      }),
    );
    const putSeconds = (performance.now() - started) / 1000;
    const putVectorsPerSecond = Math.round((PUT.batches * PUT.batchSize) / putSeconds);

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
      putVectors: { dimension: PUT.dimension, vectors: PUT.batches * PUT.batchSize, concurrency: PUT.concurrency, seconds: round(putSeconds), vectorsPerSecond: putVectorsPerSecond },
      query: { vectors: SEARCH.vectors, dimension: SEARCH.dimension, topK: SEARCH.topK, ...queryMs },
      node: process.versions.node,
      limits: LIMITS,
      pass: putVectorsPerSecond >= LIMITS.putVectorsPerSecond && queryMs.median < LIMITS.queryMedianMs,
    };
    process.stdout.write(`${JSON.stringify(result)}\n`);
  } finally {
    await emulator.close();
  }
}

await main();
