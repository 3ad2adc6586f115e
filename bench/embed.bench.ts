// embed-documents against a provider with a known ceiling: a local OpenAI-compatible server with a
// fixed 200 ms per request, at most 32 inputs per request and 4 requests at a time (capacity
// 4 x 32 / 0.2 s = 640 texts/s; more requests queue). N documents go into PGlite; the function (a
// real `deno run`) is called until the queue is empty. Our settings on short documents (one
// passage each) and on long ones (four passages each: capacity is counted in passages) against the
// public baseline's (sequential batches of 7, and of 1). The clock runs from the first request to the function until
// the queue is empty; `providerBusyPercent` is the provider's own view: the time its capacity
// slots were held by requests over capacity x that wall time. One JSON line on stdout; progress on
// stderr.
import { startPostgres } from '../local/supabase';
import { callFunction, startEdgeFunction } from '../tests/helpers/edgeHarness';
import { Worker } from 'node:worker_threads';

const PROVIDER = { latencyMs: 200, maxInputs: 32, capacity: 4 } as const;
const CAPACITY_TEXTS_PER_SECOND = (PROVIDER.capacity * PROVIDER.maxInputs * 1_000) / PROVIDER.latencyMs;
const DOCUMENTS = Number(process.env.BENCH_DOCUMENTS ?? 4_000);
const LONG_DOCUMENTS = Number(process.env.BENCH_LONG_DOCUMENTS ?? 1_500);
const BASELINE_DOCUMENTS = Number(process.env.BENCH_BASELINE_DOCUMENTS ?? 300);

// Short documents are one passage each; long ones are four sections of about 1,350 characters,
// which the default splitter (400 tokens x 4 characters) cuts into four passages.
const SHORT = `'document ' || g || ' about topic ' || (g % 97)`;
const LONG = `(select string_agg('Section ' || k || ' of document ' || g || '. ' || repeat('The survey of topic ' || (g % 97) || ' part ' || k || ' goes on. ', 38), E'\n\n') from generate_series(1, 4) as k)`;

const RUNS = [
  { name: 'ours', documents: DOCUMENTS, content: SHORT, env: {} },
  { name: 'ours-long-documents', documents: LONG_DOCUMENTS, content: LONG, env: {} },
  { name: 'baseline-batch7-sequential', documents: BASELINE_DOCUMENTS, content: SHORT, env: { EMBED_BATCH_SIZE: '7', EMBED_CONCURRENCY: '1', QUEUE_BATCH: '7' } },
  { name: 'baseline-batch1-sequential', documents: BASELINE_DOCUMENTS, content: SHORT, env: { EMBED_BATCH_SIZE: '1', EMBED_CONCURRENCY: '1', QUEUE_BATCH: '1' } },
] as const;

/** The provider (bench/support/embedding-provider-worker.ts) on its own thread. */
interface ProviderThread {
  readonly baseUrl: string;
  stats(): Promise<{ requests: number; busyMs: number }>;
  close(): Promise<void>;
}

async function startProvider(): Promise<ProviderThread> {
  // Node 20 does not apply `--import tsx` to a worker's own .ts entry: register tsx, then import it.
  const entry = new URL('./support/embedding-provider-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then(({ register }) => { register(); return import(${JSON.stringify(entry)}); })`;
  const worker = new Worker(boot, { eval: true, workerData: PROVIDER });
  const next = <T>() => new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  const { baseUrl } = await next<{ baseUrl: string }>();
  return {
    baseUrl,
    stats: () => {
      const answer = next<{ requests: number; busyMs: number }>();
      worker.postMessage('stats');
      return answer;
    },
    close: async () => {
      worker.postMessage('close');
      await new Promise((resolve) => worker.once('exit', resolve));
    },
  };
}

async function measure(run: (typeof RUNS)[number]): Promise<Record<string, number | string>> {
  // PGlite always, as the figures in docs assume; not the tests' DATABASE switch (that needs Vitest).
  const database = await startPostgres();
  const provider = await startProvider();
  const fn = await startEdgeFunction('embed-documents', {
    SUPABASE_DB_URL: database.url,
    EMBEDDING_PROVIDER: 'openai',
    OPENAI_BASE_URL: provider.baseUrl,
    OPENAI_API_KEY: 'sk-bench',
    ...run.env,
  }, (line) => {
    if (line.includes('"level":"warn"') || line.includes('"level":"error"')) process.stderr.write(`${line.slice(0, 400)}\n`);
  });
  try {
    await database.db.query(`insert into public.source_documents (content) select ${run.content} from generate_series(1, ${run.documents}) g`);
    process.stderr.write(`${run.name}: ${run.documents} documents queued\n`);
    const queued = async () => Number((await database.db.query<{ n: number }>('select count(*)::int as n from pgmq.q_embedding_jobs')).rows[0]?.n ?? -1);
    const started = performance.now();
    let embedded = 0;
    let passages = 0;
    for (let call = 0; call < 100; call += 1) {
      const answer = await callFunction(fn);
      embedded += Number(answer.body.embedded ?? 0);
      passages += Number(answer.body.passages ?? 0);
      process.stderr.write(`${run.name}: call ${call + 1} -> ${answer.status} embedded ${String(answer.body.embedded)}\n`);
      if (Number(answer.body.read ?? 0) === 0 || (embedded >= run.documents && (await queued()) === 0)) break;
    }
    const seconds = (performance.now() - started) / 1_000;
    const { requests, busyMs } = await provider.stats();
    // The provider's capacity is in texts: passages, which are documents when each is one.
    const rate = passages / seconds;
    const stored = Number((await database.db.query<{ n: number }>('select count(*)::int as n from public.document_embeddings')).rows[0]?.n ?? -1);
    return {
      name: run.name,
      documents: run.documents,
      embedded,
      passages,
      passagesStored: stored,
      seconds: Math.round(seconds * 100) / 100,
      textsPerSecond: Math.round(rate * 10) / 10,
      docsPerMinute: Math.round(rate * 60),
      percentOfCapacity: Math.round((rate / CAPACITY_TEXTS_PER_SECOND) * 1_000) / 10,
      providerRequests: requests,
      providerBusyPercent: Math.round((busyMs / (PROVIDER.capacity * seconds * 1_000)) * 1_000) / 10,
      providerMeanLatencyMs: Math.round(busyMs / Math.max(1, requests)),
      queueLeft: await queued(),
    };
  } finally {
    await fn.stop();
    await provider.close();
    await database.close();
  }
}

const results = [];
for (const run of RUNS) results.push(await measure(run));
const ours = results[0];
process.stdout.write(
  `${JSON.stringify({
    bench: 'embed-documents',
    provider: { ...PROVIDER, capacityTextsPerSecond: CAPACITY_TEXTS_PER_SECOND },
    runs: results,
    goalPercentOfCapacity: 90,
    meetsGoal: [ours, results[1]].every((run) => Number(run?.percentOfCapacity ?? 0) >= 90 && run?.embedded === run?.documents && run?.passagesStored === run?.passages),
    baselineClaimDocsPerMinute: 87.5,
  })}\n`,
);
