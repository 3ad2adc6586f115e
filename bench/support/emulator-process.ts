// The OSS Vectors emulator in a process of its own (the cloud is another machine: its CPU must not
// be the benchmark's), served through a decorator that counts what it answers per operation: the
// write calls and the 429s of the worker benchmarks. `startEmulatorProcess` forks this file, which
// is also the child's entry point.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import { EmulatorServer } from '../../local/http';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../../local/http';
import { startOssVectorsEmulator } from '../../local/oss-vectors';
import type { OssVectorsEmulatorOptions } from '../../local/oss-vectors';
import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import { nextMessage, stopChild } from './processes';

/** The index write quota the emulator enforces (issue 14 part 1), or `false` for none. */
export const WriteQuotaSchema = z.union([z.object({ requestsPerSecond: z.number().positive(), vectorsPerSecond: z.number().positive() }), z.literal(false)]);
export type WriteQuota = z.infer<typeof WriteQuotaSchema>;

/** The cloud's write quota of one index: 5 requests/s and 2,500 vectors/s (docs/reference, §5). */
export const CLOUD_WRITE_QUOTA = { requestsPerSecond: 5, vectorsPerSecond: 2_500 } as const;

const CallCountsSchema = z.object({ calls: z.number(), throttled: z.number(), failed: z.number() });
/** What the emulator answered, per operation: calls, 429s among them, other non-2xx answers. */
export type CallCounts = z.infer<typeof CallCountsSchema>;

const EmulatorStatsSchema = z.object({ operations: z.record(z.string(), CallCountsSchema), cpuMs: z.number() });
/** The counters and the CPU time the emulator process has used so far. */
export type EmulatorStats = z.infer<typeof EmulatorStatsSchema>;

const ReadySchema = z.object({
  type: z.literal('ready'),
  endpoint: z.string(),
  region: z.string(),
  accountId: z.string(),
  credential: z.object({ accessKeyId: z.string(), accessKeySecret: z.string() }),
  /** Whether a burst of PutVectors over the quota drew 429s (false before the emulator enforces it). */
  quotaEnforced: z.boolean(),
});
const StatsReplySchema = z.object({ type: z.literal('stats'), stats: EmulatorStatsSchema });
const RequestSchema = z.object({ type: z.enum(['stats', 'close']) });

/** A running emulator process and its handles. */
export interface EmulatorProcess {
  readonly endpoint: string;
  readonly region: string;
  readonly accountId: string;
  readonly credential: { readonly accessKeyId: string; readonly accessKeySecret: string };
  readonly writeQuota: WriteQuota;
  readonly quotaEnforced: boolean;
  /** A client of this emulator for the bench's own calls (set-up, checks): no client-side throttle. */
  client(): OssVectorsClient;
  stats(): Promise<EmulatorStats>;
  close(): Promise<void>;
}

const SERVE_FLAG = '--serve-oss-vectors';

/** Counts each answer of the wrapped service by operation; everything else is the service's own. */
class CountingService implements EmulatorService {
  readonly name: string;
  readonly operations: Record<string, CallCounts> = {};

  constructor(private readonly inner: EmulatorService) {
    this.name = inner.name;
  }

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const route = this.inner.route(request);
    if (route === undefined) return undefined;
    return {
      operation: route.operation,
      handle: async (req) => {
        const answer = await route.handle(req);
        this.count(route.operation, answer);
        return answer;
      },
    };
  }

  errorResponse(status: number, code: string, message: string, request: EmulatorRequest): EmulatorResponse {
    return this.inner.errorResponse(status, code, message, request);
  }

  reset(): void {
    for (const name of Object.keys(this.operations)) delete this.operations[name];
  }

  private count(operation: string, answer: EmulatorResponse): void {
    const counts = (this.operations[operation] ??= { calls: 0, throttled: 0, failed: 0 });
    counts.calls += 1;
    if (answer.status === 429) counts.throttled += 1;
    else if (answer.status >= 300) counts.failed += 1;
  }
}

function clientOf(info: { endpoint: string; region: string; accountId: string; credential: { accessKeyId: string; accessKeySecret: string } }, maxAttempts?: number): OssVectorsClient {
  return new OssVectorsClient({ region: info.region, accountId: info.accountId, credentials: info.credential, endpoint: info.endpoint, indexWriteQps: 1000, indexWriteVectorsPerSecond: 1_000_000, ...(maxAttempts === undefined ? {} : { maxAttempts }) });
}


/** The child: starts the emulator with the quota given, serves it through the counter, answers stats until told to close. */
async function serve(): Promise<void> {
  const writeQuota = WriteQuotaSchema.parse(JSON.parse(process.argv[process.argv.indexOf(SERVE_FLAG) + 1] ?? 'null'));
  const options: OssVectorsEmulatorOptions = { writeQuota };
  const emulator = await startOssVectorsEmulator(options);
  const counting = new CountingService(emulator.server.service);
  const server = new EmulatorServer(counting);
  const endpoint = await server.start(0);
  const credential = emulator.credentials[0] ?? { accessKeyId: '', accessKeySecret: '' };
  const info = { endpoint, region: emulator.region, accountId: emulator.accountId, credential };
  const quotaEnforced = writeQuota !== false;
  counting.reset();
  const started = process.cpuUsage();
  // The bench died: nothing will ask for stats or a close any more.
  process.on('disconnect', () => process.exit(0));
  process.on('message', (raw) => {
    const request = RequestSchema.parse(raw);
    if (request.type === 'stats') {
      const cpu = process.cpuUsage(started);
      process.send?.({ type: 'stats', stats: { operations: counting.operations, cpuMs: (cpu.user + cpu.system) / 1000 } });
      return;
    }
    void server
      .stop()
      .then(() => emulator.close())
      .then(() => process.exit(0));
  });
  process.send?.({ type: 'ready', ...info, quotaEnforced });
}

/** Starts the emulator in a child process with `writeQuota`; resolves once it serves. */
export async function startEmulatorProcess(writeQuota: WriteQuota): Promise<EmulatorProcess> {
  const child = fork(fileURLToPath(import.meta.url), [SERVE_FLAG, JSON.stringify(writeQuota)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 2, 2, 'ipc'] });
  const ready = await nextMessage(child, ReadySchema, 'the emulator process');
  let closed: Promise<void> | undefined;
  return {
    endpoint: ready.endpoint,
    region: ready.region,
    accountId: ready.accountId,
    credential: ready.credential,
    writeQuota,
    quotaEnforced: ready.quotaEnforced,
    client: () => clientOf(ready),
    async stats() {
      child.send({ type: 'stats' });
      return (await nextMessage(child, StatsReplySchema, 'the emulator process')).stats;
    },
    close() {
      closed ??= stopChild(child, { type: 'close' });
      return closed;
    },
  };
}

/** Counters of `after` minus those of `before`, per operation. */
export function statsBetween(before: EmulatorStats, after: EmulatorStats): EmulatorStats {
  const operations: Record<string, CallCounts> = {};
  for (const [name, counts] of Object.entries(after.operations)) {
    const earlier = before.operations[name] ?? { calls: 0, throttled: 0, failed: 0 };
    operations[name] = { calls: counts.calls - earlier.calls, throttled: counts.throttled - earlier.throttled, failed: counts.failed - earlier.failed };
  }
  return { operations, cpuMs: after.cpuMs - before.cpuMs };
}

if (process.argv.includes(SERVE_FLAG)) await serve();
