import * as z from 'zod';
import { IndexNameSchema } from '../../shared/contracts';
import { parseFlags, UsageError } from '../cli';
import type { CommandSummary, WorkerCommand } from '../cli';
import { openWorkerContext } from '../context';
import { readEmbeddingsByIds } from '../data';
import { shapeOf } from '../jobs/types';

const FlagsSchema = z.object({
  index: IndexNameSchema,
  vector: z.string().optional(),
  documentId: z.uuid({ message: 'must be a document id (uuid)' }).optional(),
  topK: z.string().regex(/^[1-9][0-9]{0,2}$/u, 'must be a whole number').default('10').transform(Number),
  settings: z.string().min(1, 'is empty'),
});

const VectorSchema = z.array(z.number().finite()).min(1);

/**
 * `query --index <logical> (--vector '[..]' | --document-id <uuid>) [--top-k 10] --settings <file>`:
 * top-k of the active generation, for a vector or for a document's own embedding.
 */
export function queryCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'query',
    description: 'top-k of the active index for --vector or --document-id (--index, --top-k, --settings)',
    async run(args): Promise<CommandSummary> {
      const flags = parseFlags('query', args, { strings: ['index', 'vector', 'document-id', 'top-k', 'settings'] }, FlagsSchema);
      if ((flags.vector === undefined) === (flags.documentId === undefined)) throw new UsageError('query: give exactly one of --vector and --document-id');
      const ctx = await openWorkerContext(flags.settings, stderr, { index: flags.index });
      try {
        const active = await ctx.ledger.activeIndex(flags.index);
        if (!active) throw new UsageError(`query: index ${flags.index} has no active generation`);
        let queryVector: number[];
        if (flags.documentId) {
          const [row] = await readEmbeddingsByIds(ctx.sql, [flags.documentId]);
          if (!row) throw new UsageError(`query: document ${flags.documentId} has no embedding`);
          queryVector = row.embedding;
        } else {
          const parsed = VectorSchema.safeParse(JSON.parse(flags.vector ?? '[]'));
          if (!parsed.success) throw new UsageError('query: --vector must be a JSON array of finite numbers');
          queryVector = parsed.data;
        }
        const results = await ctx.oss.queryVectors({ bucket: active.bucket, indexName: active.index_name, queryVector, topK: flags.topK, returnDistance: true, returnMetadata: true, index: shapeOf(active) });
        return { ok: true, command: 'query', index: active.index_name, results: results.map((r) => ({ key: r.key, distance: r.distance, metadata: r.metadata })) };
      } finally {
        await ctx.close();
      }
    },
  };
}
