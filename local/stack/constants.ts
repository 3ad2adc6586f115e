/** What the local cloud stands up, with the names the cloud deploy uses. */
export const StackDefaults = {
  /** The pipeline bus: the functions and operators publish here. */
  busName: 'vector-sync',
  /** The changes bus: only the Supabase publisher writes here (its key may write nowhere else). */
  changesBusName: 'vector-sync-changes',
  /** The logical index the edge function publishes to (`VECTOR_INDEX`). */
  logicalIndex: 'docs',
  /** Its first generation, created by the worker's `create-index` at boot. */
  firstGeneration: 'docsv1',
  vectorBucket: 'local-vectors',
  artifactsBucket: 'vector-sync-artifacts',
  workerPrefix: 'workers/',
  reportPrefix: 'reports/',
  dimension: 384,
  reportFrom: 'vector-sync@reports.local.test',
  reportTo: 'ops@local.test',
  instances: ['i-local0001', 'i-local0002'],
  /** The RAM role of the worker instances (deploy/ram/ecs-worker-role.policy.json in the cloud). */
  workerRole: 'vector-sync-worker',
  /** How often the local timer trigger runs reconcile. */
  reconcileEveryMs: 20_000,
  /** notify's REPORT_POLICY and REPORT_DIGEST_MINUTES, as s.yaml defaults them. */
  reportPolicy: 'digest',
  reportDigestMinutes: 60,
  /** How often the local timer trigger asks notify to send the digests that are due. */
  digestEveryMs: 30_000,
  maxConnections: 80,
} as const;

/** Memory (MB) and timeout (s) per function; the same figures s.yaml gives them in the cloud. */
export const FunctionSizing = {
  validate: { memory: 256, timeout: 30 },
  chunk: { memory: 256, timeout: 120 },
  dispatch: { memory: 256, timeout: 60 },
  'collect-stats': { memory: 256, timeout: 60 },
  reconcile: { memory: 256, timeout: 120 },
  notify: { memory: 512, timeout: 120 },
} as const;

export type StackFunctionName = keyof typeof FunctionSizing;
