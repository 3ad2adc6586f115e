// The bare loop the quota-off worker is measured against: the least a rebuild can do. It reads the
// same rows from the same database (key-ordered pages of WORKER_BATCH_ROWS with their vectors and
// metadata, the query of WorkerLedger.embeddingPage), turns each page into the PutVectors body the
// worker sends (same keys, floats, metadata and content_hash), signs it and keeps up to the
// worker's write concurrency in flight; no checks, no ledger, no retries. It runs as many processes
// as chunks run at once, each taking the same key ranges from a shared queue. `runBareLoop` forks
// this file, which is also the children's entry point.
import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Sql } from 'postgres';
import * as z from 'zod';
import { signRequest } from '../../shared/clients/oss-vectors';
import { sendHttp } from '../../shared/clients/oss-vectors/OssVectorsTransport';
import type { RangeSelector } from '../../shared/contracts';
import { createSql } from '../../shared/ledger';
import type { EmulatorProcess } from './emulator-process';
import { nextMessage, stopChild } from './processes';

const CHILD_FLAG = '--bare-loop';

const ConfigSchema = z.object({
  type: z.literal('config'),
  databaseUrl: z.string(),
  endpoint: z.string(),
  region: z.string(),
  accountId: z.string(),
  credential: z.object({ accessKeyId: z.string(), accessKeySecret: z.string() }),
  bucket: z.string(),
  indexName: z.string(),
  pageRows: z.number().int().positive(),
  writeConcurrency: z.number().int().positive(),
});
type Config = z.infer<typeof ConfigSchema>;
const ToChildSchema = z.discriminatedUnion('type', [
  ConfigSchema,
  z.object({ type: z.literal('range'), after: z.string().nullable(), through: z.string().nullable() }),
  z.object({ type: z.literal('done') }),
]);
const FromChildSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ready') }),
  z.object({ type: z.literal('range-done'), vectors: z.number(), calls: z.number() }),
  z.object({ type: z.literal('failed'), message: z.string() }),
]);
type FromChild = z.infer<typeof FromChildSchema>;

const RowSchema = z.object({ document_id: z.string(), content_hash: z.string(), embedding: z.string(), metadata: z.record(z.string(), z.unknown()).nullable() });

/** One PutVectors: signed as the client signs, sent with the client's HTTP layer; anything but 200 fails the loop. */
async function putVectors(config: Config, body: Buffer): Promise<void> {
  const host = `${config.bucket}-${config.accountId}.${config.region}.oss-vectors.aliyuncs.com`;
  const headers = signRequest({
    method: 'POST',
    region: config.region,
    accountId: config.accountId,
    bucket: config.bucket,
    rawQuery: 'putVectors',
    headers: { host, 'content-type': 'application/json', 'content-md5': createHash('md5').update(body).digest('base64') },
    credentials: config.credential,
    date: new Date(),
  });
  const answer = await sendHttp({ origin: new URL(config.endpoint), method: 'POST', path: '/?putVectors', headers, body, timeoutMs: 60_000 });
  if (answer.status !== 200) throw new Error(`PutVectors answered ${answer.status}: ${answer.body.toString('utf8').slice(0, 300)}`);
}

/** Writes one key range `(after, through]`: read a page, send its body, read the next while up to `writeConcurrency` bodies are in flight. */
async function writeRange(sql: Sql, config: Config, range: RangeSelector): Promise<{ vectors: number; calls: number }> {
  const inFlight = new Set<Promise<void>>();
  let failure: unknown;
  let vectors = 0;
  let calls = 0;
  let after = range.after;
  for (;;) {
    const rows = z.array(RowSchema).parse(await sql`
      select e.document_id::text as document_id, e.content_hash, e.embedding::text as embedding, d.metadata
      from public.document_embeddings as e
      join public.source_documents as d on d.id = e.document_id
      where (${after}::uuid is null or e.document_id > ${after}::uuid)
        and (${range.through}::uuid is null or e.document_id <= ${range.through}::uuid)
      order by e.document_id
      limit ${config.pageRows}`);
    if (rows.length === 0) break;
    const vectorsOfPage = rows.map((row) => ({ key: row.document_id, data: { float32: JSON.parse(row.embedding) as unknown }, metadata: { ...row.metadata, content_hash: row.content_hash } }));
    const body = Buffer.from(JSON.stringify({ indexName: config.indexName, vectors: vectorsOfPage }));
    while (inFlight.size >= config.writeConcurrency) await Promise.race(inFlight);
    if (failure !== undefined) throw failure;
    const sent: Promise<void> = putVectors(config, body)
      .catch((error: unknown) => {
        failure ??= error;
      })
      .finally(() => inFlight.delete(sent));
    inFlight.add(sent);
    vectors += rows.length;
    calls += 1;
    after = rows[rows.length - 1]?.document_id ?? null;
  }
  await Promise.all(inFlight);
  if (failure !== undefined) throw failure;
  return { vectors, calls };
}

/** A child: takes its config, connects, then writes each range it is given until told it is done. */
async function child(): Promise<void> {
  let config: Config | undefined;
  let sql: Sql | undefined;
  process.on('disconnect', () => process.exit(1));
  process.on('message', (raw) => {
    const message = ToChildSchema.parse(raw);
    const reply = (answer: FromChild): void => void process.send?.(answer);
    const fail = (error: unknown): void => reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
    if (message.type === 'config') {
      config = message;
      // The worker's connection settings (createSql: no named statements, as the Supabase pooler needs).
      sql = createSql(message.databaseUrl, { max: 1, applicationName: 'bench-bare-loop' });
      sql`select 1`.then(() => reply({ type: 'ready' }), fail);
    } else if (message.type === 'range' && sql && config) {
      writeRange(sql, config, message).then((done) => reply({ type: 'range-done', ...done }), fail);
    } else if (message.type === 'done') {
      void (sql?.end({ timeout: 1 }) ?? Promise.resolve()).then(() => process.exit(0));
    }
  });
}

/** What the bare loop measured. */
export interface BareLoopResult {
  /** From the first range handed out (every process connected) to the last range written. */
  readonly seconds: number;
  readonly vectors: number;
  readonly calls: number;
}

/** The child's next answer; a failure it reports fails the loop. */
async function answerOf(proc: ChildProcess): Promise<FromChild> {
  const answer = await nextMessage(proc, FromChildSchema, 'a bare-loop process');
  if (answer.type === 'failed') throw new Error(`bare loop: ${answer.message}`);
  return answer;
}

/** Runs the bare loop over `ranges` with `processes` processes into `indexName` (which must exist). */
export async function runBareLoop(input: {
  databaseUrl: string;
  emulator: EmulatorProcess;
  bucket: string;
  indexName: string;
  ranges: readonly RangeSelector[];
  processes: number;
  pageRows: number;
  writeConcurrency: number;
}): Promise<BareLoopResult> {
  const { emulator } = input;
  const config: Config = { type: 'config', databaseUrl: input.databaseUrl, endpoint: emulator.endpoint, region: emulator.region, accountId: emulator.accountId, credential: emulator.credential, bucket: input.bucket, indexName: input.indexName, pageRows: input.pageRows, writeConcurrency: input.writeConcurrency };
  const children = Array.from({ length: input.processes }, () => fork(fileURLToPath(import.meta.url), [CHILD_FLAG], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 2, 2, 'ipc'] }));
  try {
    await Promise.all(
      children.map(async (proc) => {
        proc.send(config);
        await answerOf(proc);
      }),
    );
    const queue = [...input.ranges];
    let vectors = 0;
    let calls = 0;
    const started = performance.now();
    await Promise.all(
      children.map(async (proc) => {
        for (let range = queue.shift(); range !== undefined; range = queue.shift()) {
          proc.send({ type: 'range', ...range });
          const done = await answerOf(proc);
          if (done.type === 'range-done') {
            vectors += done.vectors;
            calls += done.calls;
          }
        }
      }),
    );
    return { seconds: (performance.now() - started) / 1000, vectors, calls };
  } finally {
    await Promise.all(children.map((proc) => stopChild(proc, { type: 'done' })));
  }
}

if (process.argv.includes(CHILD_FLAG)) await child();
