// A local cloud for the collect-stats, reconcile and notify tests: Postgres with the real
// migrations, the EventBridge emulator with the project's routes (deliveries recorded per function)
// and, on request, Cloud Assistant, OSS and Resend, all accepting the same FC role keys.
import type { Sql } from 'postgres';
import { startCloudAssistant } from '../../local/cloud-assistant';
import type { CloudAssistantEmulator } from '../../local/cloud-assistant';
import { startEventBridge } from '../../local/eventbridge';
import type { EventBridgeEmulator, InvokableFunction } from '../../local/eventbridge';
import type { LocalInvokeResult } from '../../local/fc';
import { startOss } from '../../local/oss';
import type { OssEmulator } from '../../local/oss';
import { ApiKeyPermissions, startResend } from '../../local/resend';
import type { ResendEmulator } from '../../local/resend';
import type { LocalPostgres } from '../../local/supabase';
import { EventPublisher, createEventBridgeClient } from '../../shared/clients/eventbridge';
import { createSql } from '../../shared/ledger';
import { Ledger } from '../../shared/ledger';
import { Logger } from '../../shared/logging';
import { ROUTES } from '../../shared/routing';
import { startTestPostgres } from './database';

/** The FC function role's STS keys, accepted by every emulator. */
export const fcRole = { accessKeyId: 'STS.localharness01', accessKeySecret: 'harness-secret', securityToken: 'harness-token' };
export const RESEND_KEY = 're_local_harness_key';
/** A RAM user that may only read the report archive: signs report links that outlive STS keys. */
export const reportLinkUser = { accessKeyId: 'test-report-link-key-id', accessKeySecret: 'report-link-secret' };

/** A stand-in function that records every event the bus delivers to it. */
export class RecordingFunction implements InvokableFunction {
  readonly events: Record<string, any>[] = [];

  async invoke(event: Buffer): Promise<LocalInvokeResult> {
    this.events.push(JSON.parse(event.toString('utf8')) as Record<string, any>);
    return { ok: true, requestId: `r-${this.events.length}`, durationMs: 1, body: Buffer.from('{}'), logs: [] };
  }
}

export interface Harness {
  readonly pg: LocalPostgres;
  readonly sql: Sql;
  readonly ledger: Ledger;
  readonly bus: EventBridgeEmulator;
  readonly publisher: EventPublisher;
  /** Deliveries by target function name (dispatch, collect-stats, notify, ...). */
  readonly delivered: (functionName: string) => Record<string, any>[];
  readonly logLines: string[];
  readonly log: Logger;
  ecs?: CloudAssistantEmulator;
  oss?: OssEmulator;
  resend?: ResendEmulator;
  /** An FC 3.0-like context with the role keys. */
  fcContext(functionName: string, requestId?: string): any;
  close(): Promise<void>;
}

/** Starts the harness; `with` picks the extra emulators. */
export async function startHarness(options: { ecs?: boolean; oss?: boolean; resend?: boolean; ecsTimeScale?: number } = {}): Promise<Harness> {
  const pg = await startTestPostgres();
  const sql = createSql(pg.url, { max: 4 });
  const recorders = new Map<string, RecordingFunction>();
  const functions = new Map<string, InvokableFunction>();
  for (const name of ['validate', 'chunk', 'dispatch', 'collect-stats', 'notify']) {
    const recorder = new RecordingFunction();
    recorders.set(name, recorder);
    functions.set(name, recorder);
  }
  const bus = await startEventBridge({ routes: ROUTES, timeScale: 0.0001, credentials: [fcRole], functions });
  const publisher = new EventPublisher(createEventBridgeClient({ endpoint: `http://${bus.endpoint}`, regionId: bus.region, ...fcRole }), { busName: 'vector-sync', sleep: async () => undefined });
  const logLines: string[] = [];
  const harness: Harness = {
    pg,
    sql,
    ledger: new Ledger(sql),
    bus,
    publisher,
    delivered: (name) => recorders.get(name)?.events ?? [],
    logLines,
    log: new Logger({ sink: (line) => logLines.push(line) }),
    fcContext: (functionName, requestId = `req-${functionName}`) => ({
      requestId,
      credentials: fcRole,
      function: { name: functionName, handler: 'index.handler', memory: 256, timeout: 60 },
      region: bus.region,
      accountId: bus.accountId,
      logger: console,
    }),
    async close() {
      await harness.resend?.close();
      await harness.oss?.close();
      await harness.ecs?.close();
      await bus.close();
      await sql.end({ timeout: 2 });
      await pg.close();
    },
  };
  if (options.ecs) harness.ecs = await startCloudAssistant({ instances: [{ instanceId: 'i-local0001', state: 'online' }], credentials: [fcRole], accountId: bus.accountId, region: bus.region, timeScale: options.ecsTimeScale ?? 1 });
  if (options.oss) harness.oss = await startOss({ region: bus.region, credentials: [fcRole, reportLinkUser] });
  if (options.resend) harness.resend = await startResend({ apiKeys: [{ key: RESEND_KEY, permission: ApiKeyPermissions.fullAccess }], ratePerSecond: 0 });
  return harness;
}

/** A sync run of `chunks` chunks, each dispatched to i-local0001 under command `c-<tag>x<n>`. */
export async function dispatchedRun(h: Harness, tag: string, chunks: number, index = 'docsg1'): Promise<string> {
  await h.ledger.registerIndex({ indexName: index, logicalName: 'docs', bucket: 'vectors', dimension: 4, metric: 'cosine' });
  const ids = Array.from({ length: chunks }, (_, i) => `doc-${tag}-${i}`);
  const run = await h.ledger.openRun({ sourceEventId: `evt-${tag}`, op: 'sync', indexName: index, ids });
  for (const [chunkNo, id] of ids.entries()) await h.ledger.addChunk(run.run_id, chunkNo, { ids: [id] });
  await h.ledger.markRunChunked(run.run_id, chunks);
  for (let chunkNo = 0; chunkNo < chunks; chunkNo += 1) {
    await h.ledger.markChunkDispatched({ runId: run.run_id, chunkNo, commandId: commandIdOf(tag, chunkNo), invokeId: `t-${tag}x${chunkNo}`, instanceId: 'i-local0001' });
  }
  return run.run_id;
}

/** The command id `dispatchedRun` gives a chunk's first attempt. */
export function commandIdOf(tag: string, chunkNo: number): string {
  return `c-${tag}x${chunkNo}`;
}

/** The worker's report of a finished chunk. */
export const chunkResult = { upserted: 1, deleted: 0, skipped: 0, rejected: 0, failed: 0 };
