/** Event types on the buses, as `as const` values (the routing declaration and schemas use them). */
export const EventType = {
  ChangesPublished: 'vectorsync.changes.published',
  RunRequested: 'vectorsync.run.requested',
  RunAccepted: 'vectorsync.run.accepted',
  ChunkReady: 'vectorsync.chunk.ready',
  TaskCompleted: 'ecs:CloudAssistant:TaskCompleted',
  RunCompleted: 'vectorsync.run.completed',
  StatsRequested: 'vectorsync.stats.requested',
  DigestRequested: 'vectorsync.digest.requested',
} as const;
export type EventType = (typeof EventType)[keyof typeof EventType];

/** Event sources: who may publish what. */
export const EventSource = {
  SupabaseEdge: 'supabase.edge',
  Manual: 'vectorsync.manual',
  Pipeline: 'vectorsync.pipeline',
  Ecs: 'acs.ecs',
} as const;
export type EventSource = (typeof EventSource)[keyof typeof EventSource];

/** Run operations. */
export const RunOp = { Sync: 'sync', Rebuild: 'rebuild', Verify: 'verify', Search: 'search' } as const;
export type RunOp = (typeof RunOp)[keyof typeof RunOp];

/** Limits the contracts enforce. */
export const Limits = {
  /** Ids per manual `sync` event (change events carry a batch id, not ids: see change-events.ts). */
  maxIdsPerEvent: 500,
  /** OSS Vectors key length, in UTF-8 bytes. */
  maxKeyBytes: 1024,
  /** EventBridge event id length. */
  maxEventIdLength: 128,
  /** EventBridge per-event size (the stricter of the two documented figures). */
  maxEventBytes: 64 * 1024,
  /** Chunks per run: far above any real run, low enough to catch a runaway number. */
  maxChunkNo: 1_000_000,
} as const;
