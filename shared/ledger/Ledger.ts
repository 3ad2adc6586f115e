import { createHash } from 'node:crypto';
import type { ChunkResult, ChunkSelector } from '../contracts';
import { createSql } from './connection';
import { RecoveryLedger } from './RecoveryLedger';
import { eventText, nullableStorable, PARKED_EXCERPT_CHARS, storable } from './storableText';
import { ChunkPlanSchema, ChunkRowSchema, IndexRowSchema, IndexStatsRowSchema, ParkedEventRowSchema, RejectionGroupRowSchema, RunRowSchema } from './rows';
import type { ChunkPlan, ChunkRow, IndexRow, IndexStats, ParkedEvent, RejectionGroup, RunRow } from './rows';

/** A permanent failure a handler parks once, with its reason (`vector_sync.parked_events`). */
export interface ParkedFailureRecord {
  readonly functionName: string;
  readonly eventId: string | null;
  readonly eventType: string | null;
  readonly runId: string | null;
  readonly code: string;
  readonly reason: string;
  readonly event: unknown;
}

/**
 * The run ledger (`vector_sync`) as the FC handlers use it. Each state move is one guarded SQL
 * function, so a repeated call is harmless and an impossible move is a LedgerRefusedError; each
 * read is one keyed query. Nothing is held open across the network calls between two methods.
 * What the reports read and settle (health, document status, dispositions, digests) is
 * ReportLedger's; what reconcile finds and recovers (silent chunks, lost closes and completions,
 * abandoned generations) is RecoveryLedger's.
 */
export class Ledger extends RecoveryLedger {
  // --- runs ---

  openRun(input: { sourceEventId: string; op: RunRow['op']; indexName: string; ids?: readonly string[]; requestedBy?: string; params?: Readonly<Record<string, unknown>> }): Promise<RunRow> {
    return this.one('open_run', RunRowSchema, (sql) => sql`select * from vector_sync.open_run(${input.sourceEventId}, ${input.op}, ${input.indexName}, ${input.ids === undefined ? null : [...input.ids]}::text[], ${input.requestedBy ?? null}, ${input.params === undefined ? null : sql.json(input.params as unknown as Record<string, never>)}::jsonb)`);
  }

  /**
   * Opens the sync run of a claim-check change batch (`vector_sync.open_batch_run`): keyed by the
   * event id, one run per batch, its items copied from the batch in SQL. Refused (P0002/22023)
   * when the batch is unknown, its id count differs, or it belongs to another logical index.
   */
  openBatchRun(input: { sourceEventId: string; batchId: string; indexName: string; idCount: number; requestedBy?: string }): Promise<RunRow> {
    return this.one('open_batch_run', RunRowSchema, (sql) => sql`select * from vector_sync.open_batch_run(${input.sourceEventId}, ${input.batchId}::uuid, ${input.indexName}, ${input.idCount}::int, ${input.requestedBy ?? null})`);
  }

  run(runId: string): Promise<RunRow | undefined> {
    return this.maybe('run', RunRowSchema, (sql) => sql`select * from vector_sync.runs where run_id = ${runId}`);
  }

  /**
   * The run, locked until the surrounding transaction ends (use inside `transaction`): copies of
   * one delivery that would each plan the run take turns, and the later ones find it planned.
   */
  lockRun(runId: string): Promise<RunRow | undefined> {
    return this.maybe('lock_run', RunRowSchema, (sql) => sql`select * from vector_sync.runs where run_id = ${runId} for update`);
  }

  failRun(runId: string, error: string): Promise<RunRow> {
    return this.one('fail_run', RunRowSchema, (sql) => sql`select * from vector_sync.fail_run(${runId}, ${error})`);
  }

  markRunChunked(runId: string, chunkCount: number): Promise<RunRow> {
    return this.one('mark_run_chunked', RunRowSchema, (sql) => sql`select * from vector_sync.mark_run_chunked(${runId}, ${chunkCount})`);
  }

  /** Completes (or fails) the run once every chunk is final; otherwise answers it unchanged. */
  completeRun(runId: string): Promise<RunRow> {
    return this.one('complete_run', RunRowSchema, (sql) => sql`select * from vector_sync.complete_run(${runId})`);
  }

  /** True the first time only: the caller that gets true is the one that sent the report. */
  markReportSent(runId: string, messageId: string): Promise<boolean> {
    return this.flag('mark_report_sent', (sql) => sql`select vector_sync.mark_report_sent(${runId}, ${messageId}) as flag`);
  }

  /** The document ids of a sync run, in order. */
  async runItemIds(runId: string): Promise<string[]> {
    const rows = await this.query('run_items', (sql) => sql`select document_id from vector_sync.run_items where run_id = ${runId} order by document_id`);
    return rows.map((row) => String(row.document_id));
  }

  /**
   * Every `rowsPerRange`-th document id of the sidecar, in order: the boundaries of the key ranges
   * of a rebuild or verify run (a million rows cost a few hundred ids here, never the rows).
   */
  async rangeBoundaries(rowsPerRange: number): Promise<string[]> {
    const rows = await this.query('range_boundaries', (sql) => sql`
      select document_id::text as document_id
      from (select document_id, row_number() over (order by document_id) as n from public.document_embeddings) as numbered
      where n % ${rowsPerRange} = 0
      order by document_id`);
    return rows.map((row) => String(row.document_id));
  }

  // --- chunks ---

  addChunk(runId: string, chunkNo: number, selector: ChunkSelector): Promise<ChunkRow> {
    return this.one('add_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.add_chunk(${runId}, ${chunkNo}, ${sql.json(selector as unknown as Record<string, never>)})`);
  }

  chunk(runId: string, chunkNo: number): Promise<ChunkRow | undefined> {
    return this.maybe('chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunks where run_id = ${runId} and chunk_no = ${chunkNo}`);
  }

  /** Every chunk of a run, in order. */
  chunks(runId: string): Promise<ChunkRow[]> {
    return this.many('chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunks where run_id = ${runId} order by chunk_no`);
  }

  /**
   * Plans attempt `attempt` of a ready chunk on `instanceId` and takes its slot, one of
   * `maxInFlight` across the pool: 'planned' with the instance (another delivery's earlier plan
   * stands, unless it is `insteadOf`), 'deferred' when every slot is taken (the chunk stays ready),
   * 'gone' once the chunk is no longer ready for that attempt.
   */
  async planChunkInstance(input: { runId: string; chunkNo: number; attempt: number; instanceId: string; maxInFlight: number; insteadOf?: string }): Promise<ChunkPlan> {
    return this.one('plan_chunk_instance', ChunkPlanSchema, (sql) => sql`
      select outcome, instance_id from vector_sync.plan_chunk_instance(${input.runId}, ${input.chunkNo}, ${input.attempt}, ${input.instanceId}, ${input.maxInFlight}, ${input.insteadOf ?? null})`);
  }

  /** Fails a ready chunk whose planned attempt RunCommand refused for good, with the reason; frees its slot. */
  refuseChunkAttempt(input: { runId: string; chunkNo: number; attempt: number; reason: string }): Promise<ChunkRow> {
    return this.one('refuse_chunk_attempt', ChunkRowSchema, (sql) => sql`select * from vector_sync.refuse_chunk_attempt(${input.runId}, ${input.chunkNo}, ${input.attempt}, ${input.reason})`);
  }

  markChunkDispatched(input: { runId: string; chunkNo: number; commandId: string; invokeId: string; instanceId: string }): Promise<ChunkRow> {
    return this.one('mark_chunk_dispatched', ChunkRowSchema, (sql) => sql`select * from vector_sync.mark_chunk_dispatched(${input.runId}, ${input.chunkNo}, ${input.commandId}, ${input.invokeId}, ${input.instanceId})`);
  }

  markChunkRunning(runId: string, chunkNo: number, commandId?: string): Promise<ChunkRow> {
    return this.one('mark_chunk_running', ChunkRowSchema, (sql) => sql`select * from vector_sync.mark_chunk_running(${runId}, ${chunkNo}, ${commandId ?? null})`);
  }

  finishChunk(input: { runId: string; chunkNo: number; succeeded: boolean; result: ChunkResult; error?: string; commandId?: string }): Promise<ChunkRow> {
    return this.one('finish_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.finish_chunk(${input.runId}, ${input.chunkNo}, ${input.succeeded}, ${sql.json(input.result as unknown as Record<string, never>)}, ${input.error ?? null}, ${input.commandId ?? null})`);
  }

  requeueChunk(runId: string, chunkNo: number, reason: string, maxAttempts: number): Promise<ChunkRow> {
    return this.one('requeue_chunk', ChunkRowSchema, (sql) => sql`select * from vector_sync.requeue_chunk(${runId}, ${chunkNo}, ${reason}, ${maxAttempts})`);
  }

  /** requeue_chunk, only while `commandId` is still the chunk's current attempt. */
  requeueAttempt(runId: string, chunkNo: number, commandId: string, reason: string, maxAttempts: number): Promise<ChunkRow> {
    return this.one('requeue_chunk_attempt', ChunkRowSchema, (sql) => sql`select * from vector_sync.requeue_chunk_attempt(${runId}, ${chunkNo}, ${commandId}, ${reason}, ${maxAttempts})`);
  }

  chunkForCommand(commandId: string): Promise<ChunkRow | undefined> {
    return this.maybe('chunk_for_command', ChunkRowSchema, (sql) => sql`select * from vector_sync.chunk_for_command(${commandId}) where run_id is not null`);
  }

  /** Chunks dispatched or running per instance of the pool (an instance with none is absent). */
  async chunksInFlight(instanceIds: readonly string[]): Promise<Map<string, number>> {
    const rows = await this.query('chunks_in_flight', (sql) => sql`
      select instance_id, count(*) as n from vector_sync.chunks
      where state in ('dispatched', 'running') and instance_id = any(${[...instanceIds]}::text[])
      group by instance_id`);
    return new Map(rows.map((row) => [String(row.instance_id), Number(row.n)]));
  }

  /**
   * Holds the logical index's rebuild lock until the surrounding transaction ends (use inside
   * `transaction`): rebuild requests of one index arriving together take turns, so the later ones
   * see the earlier one's run.
   */
  async lockRebuildsOf(logicalName: string): Promise<void> {
    await this.query('lock_rebuilds_of', (sql) => sql`select pg_advisory_xact_lock(hashtextextended(${`vector_sync.rebuild/${logicalName}`}, 0))`);
  }

  /** The rebuild of a logical index that is still open (not completed or failed), if any. */
  openRebuildOf(logicalName: string): Promise<RunRow | undefined> {
    return this.maybe('open_rebuild_of', RunRowSchema, (sql) => sql`
      select r.* from vector_sync.runs as r join vector_sync.indexes as i on i.index_name = r.index_name
      where i.logical_name = ${logicalName} and r.op = 'rebuild' and r.state not in ('completed', 'failed')
      order by r.accepted_at limit 1`);
  }

  /** The run an event opened, if any. */
  runOfEvent(sourceEventId: string): Promise<RunRow | undefined> {
    return this.maybe('run_of_event', RunRowSchema, (sql) => sql`select * from vector_sync.runs where source_event_id = ${sourceEventId}`);
  }

  // --- indexes ---

  registerIndex(input: { indexName: string; logicalName: string; bucket: string; dimension: number; metric: IndexRow['metric'] }): Promise<IndexRow> {
    return this.one('register_index', IndexRowSchema, (sql) => sql`select * from vector_sync.register_index(${input.indexName}, ${input.logicalName}, ${input.bucket}, ${input.dimension}, ${input.metric})`);
  }

  activateIndex(indexName: string): Promise<IndexRow> {
    return this.one('activate_index', IndexRowSchema, (sql) => sql`select * from vector_sync.activate_index(${indexName})`);
  }

  /** The active generation of a logical index, if any. */
  activeIndex(logicalName: string): Promise<IndexRow | undefined> {
    return this.maybe('active_index', IndexRowSchema, (sql) => sql`select * from vector_sync.active_index(${logicalName}) where index_name is not null`);
  }

  /** One generation by its physical name. */
  index(indexName: string): Promise<IndexRow | undefined> {
    return this.maybe('index', IndexRowSchema, (sql) => sql`select * from vector_sync.indexes where index_name = ${indexName}`);
  }

  /** Vectors index_state counts for an index (the report's TotalVectors) and its last write. */
  indexStats(indexName: string): Promise<IndexStats> {
    return this.one('index_stats', IndexStatsRowSchema, (sql) => sql`select total_vectors, total_documents, last_synced_at from vector_sync.index_stats(${indexName})`);
  }

  // --- what went wrong: rejections and parked events ---

  /** A run's rejections grouped by reason, most frequent first, with up to `examples` ids each. */
  rejectionGroups(runId: string, examples: number): Promise<RejectionGroup[]> {
    return this.many('rejection_groups', RejectionGroupRowSchema, (sql) => sql`
      select reason, count(*) as count, (array_agg(document_id order by document_id))[1:${examples}] as examples
      from vector_sync.rejections where run_id = ${runId} group by reason order by count(*) desc, reason`);
  }

  /**
   * Parks a permanent failure (once per function and event id, or per digest of an event without
   * one; repeats are counted), where the dashboard and the report show it. Only a bounded excerpt,
   * the size and the sha256 of the event are stored, and every text is made storable first.
   */
  async parkEvent(failure: ParkedFailureRecord): Promise<void> {
    const text = eventText(failure.event);
    const excerpt = text === null ? null : storable(text.slice(0, PARKED_EXCERPT_CHARS));
    const bytes = text === null ? null : Buffer.byteLength(text, 'utf8');
    const digest = text === null ? null : createHash('sha256').update(text, 'utf8').digest('hex');
    await this.query('park_event', (sql) => sql`select vector_sync.park_event(${storable(failure.functionName)}::text, ${nullableStorable(failure.eventId)}::text,
      ${nullableStorable(failure.eventType)}::text, ${failure.runId}::uuid, ${storable(failure.code)}::text, ${storable(failure.reason) || 'no reason given'}::text,
      ${excerpt}::text, ${bytes}::integer, ${digest}::text)`);
  }

  /** The first `limit` events parked for a run, oldest first. */
  parkedEvents(runId: string, limit: number): Promise<ParkedEvent[]> {
    return this.many('parked_events', ParkedEventRowSchema, (sql) => sql`
      select function_name, code, reason, event_id from vector_sync.parked_events where run_id = ${runId} order by parked_at limit ${limit}`);
  }

  // --- chunks in flight across the pool ---

  /** The ready chunks that would get the free slots of `maxInFlight` now, oldest run first. */
  nextWaitingChunks(maxInFlight: number): Promise<ChunkRow[]> {
    return this.many('next_waiting_chunks', ChunkRowSchema, (sql) => sql`select * from vector_sync.next_waiting_chunks(${maxInFlight})`);
  }

  /** Chunks holding a slot now: dispatched, running, or ready with an attempt planned. */
  chunkSlotsTaken(): Promise<number> {
    return this.count('chunk_slots_taken', (sql) => sql`select vector_sync.chunk_slots_taken() as n`);
  }

  /** Attempts planned on `instanceId` whose RunCommand dispatch has not recorded yet (its TaskCompleted may come first). */
  plannedAttempts(instanceId: string): Promise<number> {
    return this.count('planned_attempts', (sql) => sql`select count(*) as n from vector_sync.chunks as c join vector_sync.runs as r using (run_id) where c.state = 'ready' and c.instance_id = ${instanceId} and r.state in ('chunked', 'dispatched')`);
  }
}

const ledgers = new Map<string, Ledger>();

/**
 * The FC instance's ledger for SUPABASE_DB_URL, built once and kept while the instance lives. Two
 * connections: a handler runs one call at a time and issues at most a couple of reads together.
 */
export function ledgerFor(url: string): Ledger {
  let ledger = ledgers.get(url);
  if (!ledger) {
    ledger = new Ledger(createSql(url, { max: 2, idleTimeoutSeconds: 10, applicationName: 'oss-vector-sync-fc' }));
    ledgers.set(url, ledger);
  }
  return ledger;
}
