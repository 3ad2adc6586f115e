// The worker's commands: `chunk` (what run-chunk.sh starts), and the operator's `create-index`,
// `query` and `stats`. Each parses its flags strictly, opens the worker context and closes it.
import * as z from 'zod';
import { scanVectors } from '../shared/clients/oss-vectors';
import { IndexNameSchema } from '../shared/contracts';
import type { WorkerSummary } from '../shared/contracts';
import { estimateIndexBytes } from '../shared/report';
import { parseFlags, UsageError } from './cli';
import type { WorkerCommand } from './cli';
import { openWorkerContext } from './context';
import type { WorkerContext } from './context';
import { runChunk } from './jobs/runChunk';
import { vectorValues } from './embeddingRows';
import { ensureBucket, ensureIndex, shapeOf } from './vectors';

const SettingsFlag = z.string().min(1, 'is empty');

/** Opens the context for one command and closes it whatever happens. */
async function withWorker<T>(settings: string, stderr: (line: string) => void, fields: Readonly<Record<string, unknown>>, work: (worker: WorkerContext) => Promise<T>): Promise<T> {
  const worker = await openWorkerContext(settings, stderr, fields);
  try {
    return await work(worker);
  } finally {
    await worker.close();
  }
}

const ChunkFlagsSchema = z.object({
  runId: z.uuid({ message: 'must be a run id (uuid)' }),
  chunkNo: z.string().regex(/^(0|[1-9][0-9]{0,5})$/u, 'must be a chunk number').transform(Number),
  settings: SettingsFlag,
});

/** `chunk --run-id <uuid> --chunk-no <n> --settings <file>`: what run-chunk.sh starts. */
export function chunkCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'chunk',
    description: 'sync, rebuild or verify one chunk of a run (--run-id, --chunk-no, --settings)',
    async execute(args): Promise<WorkerSummary> {
      const flags = parseFlags('chunk', args, { strings: ['run-id', 'chunk-no', 'settings'] }, ChunkFlagsSchema);
      return withWorker(flags.settings, stderr, { runId: flags.runId, chunkNo: flags.chunkNo }, async (worker) => {
        const result = await runChunk(worker, flags.runId, flags.chunkNo);
        worker.log.info('chunk done', result);
        return { ok: true, command: 'chunk', ...result };
      });
    },
  };
}

const CreateIndexFlagsSchema = z.object({
  index: IndexNameSchema,
  logical: IndexNameSchema.optional(),
  dimension: z.string().regex(/^[1-9][0-9]{0,3}$/u, 'must be a whole number').default('384').transform(Number),
  metric: z.enum(['cosine', 'euclidean']).default('cosine'),
  settings: SettingsFlag,
});

/**
 * `create-index --index <name> [--logical <name>] [--dimension 384] [--metric cosine] --settings <file>`:
 * creates the vector bucket and the index when missing, registers the generation in the ledger and
 * activates it when its logical index has none yet. Safe to run twice.
 */
export function createIndexCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'create-index',
    description: 'create the vector bucket and an index, register it (--index, --logical, --dimension, --metric, --settings)',
    async execute(args): Promise<WorkerSummary> {
      const flags = parseFlags('create-index', args, { strings: ['index', 'logical', 'dimension', 'metric', 'settings'] }, CreateIndexFlagsSchema);
      return withWorker(flags.settings, stderr, { index: flags.index }, async (worker) => {
        const logical = flags.logical ?? flags.index;
        const row = await worker.ledger.registerIndex({ indexName: flags.index, logicalName: logical, bucket: worker.config.VECTOR_BUCKET, dimension: flags.dimension, metric: flags.metric });
        await ensureBucket(worker.oss, row.bucket);
        await ensureIndex(worker.oss, row);
        const active = await worker.ledger.activeIndex(logical);
        const final = active ? row : await worker.ledger.activateIndex(flags.index);
        return { ok: true, command: 'create-index', index: final.index_name, logical, bucket: final.bucket, dimension: final.dimension, metric: final.metric, state: final.state, active: active?.index_name ?? final.index_name };
      });
    },
  };
}

const QueryFlagsSchema = z.object({
  index: IndexNameSchema,
  vector: z.string().optional(),
  documentId: z.uuid({ message: 'must be a document id (uuid)' }).optional(),
  topK: z.string().regex(/^[1-9][0-9]{0,2}$/u, 'must be a whole number').default('10').transform(Number),
  settings: SettingsFlag,
});

/** A vector from JSON text (the --vector flag, or pgvector's text of a document's embedding). */
function parseVector(text: string, refusal: string): number[] {
  try {
    return vectorValues(text, 'the query');
  } catch {
    throw new UsageError(refusal);
  }
}

/**
 * `query --index <logical> (--vector '[..]' | --document-id <uuid>) [--top-k 10] --settings <file>`:
 * top-k of the active generation, for a vector or for a document's own embedding.
 */
export function queryCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'query',
    description: 'top-k of the active index for --vector or --document-id (--index, --top-k, --settings)',
    async execute(args): Promise<WorkerSummary> {
      const flags = parseFlags('query', args, { strings: ['index', 'vector', 'document-id', 'top-k', 'settings'] }, QueryFlagsSchema);
      if ((flags.vector === undefined) === (flags.documentId === undefined)) throw new UsageError('query: give exactly one of --vector and --document-id');
      return withWorker(flags.settings, stderr, { index: flags.index }, async (worker) => {
        const active = await worker.ledger.activeIndex(flags.index);
        if (!active) throw new UsageError(`query: index ${flags.index} has no active generation`);
        let queryVector: number[];
        if (flags.documentId) {
          const [row] = await worker.ledger.embeddingsByIds([flags.documentId]);
          if (!row) throw new UsageError(`query: document ${flags.documentId} has no embedding`);
          queryVector = parseVector(row.embedding, `query: the embedding of ${flags.documentId} is not an array of finite numbers`);
        } else {
          queryVector = parseVector(flags.vector ?? '', 'query: --vector must be a JSON array of finite numbers');
        }
        const results = await worker.oss.queryVectors({ bucket: active.bucket, indexName: active.index_name, queryVector, topK: flags.topK, returnDistance: true, returnMetadata: true, index: shapeOf(active) });
        return { ok: true, command: 'query', index: active.index_name, results: results.map((r) => ({ key: r.key, distance: r.distance, metadata: r.metadata })) };
      });
    },
  };
}

const StatsFlagsSchema = z.object({ index: IndexNameSchema, settings: SettingsFlag, scan: z.boolean().default(false) });

/**
 * `stats --index <logical> [--scan] --settings <file>`: the active generation, TotalVectors from the
 * ledger's index_state, the estimated size and, with `--scan`, the key count ListVectors finds
 * (OSS Vectors itself reports no counts).
 */
export function statsCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'stats',
    description: 'index statistics of the active generation (--index, --scan, --settings)',
    async execute(args): Promise<WorkerSummary> {
      const flags = parseFlags('stats', args, { strings: ['index', 'settings'], booleans: ['scan'] }, StatsFlagsSchema);
      return withWorker(flags.settings, stderr, { index: flags.index }, async (worker) => {
        const active = await worker.ledger.activeIndex(flags.index);
        if (!active) throw new UsageError(`stats: index ${flags.index} has no active generation`);
        const { totalVectors, lastSyncedAt } = await worker.ledger.indexStats(active.index_name);
        let scanned: number | undefined;
        if (flags.scan) {
          scanned = 0;
          for await (const _vector of scanVectors(worker.oss, { bucket: active.bucket, indexName: active.index_name, segmentCount: 4 })) scanned += 1;
        }
        return {
          ok: true,
          command: 'stats',
          index: active.index_name,
          dimension: active.dimension,
          metric: active.metric,
          totalVectors,
          estimatedBytes: estimateIndexBytes(totalVectors, active.dimension),
          lastSyncedAt: lastSyncedAt?.toISOString() ?? null,
          ...(scanned === undefined ? {} : { scannedVectors: scanned }),
        };
      });
    },
  };
}
