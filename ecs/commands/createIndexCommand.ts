import * as z from 'zod';
import { IndexNameSchema } from '../../shared/contracts';
import { parseFlags } from '../cli';
import type { CommandSummary, WorkerCommand } from '../cli';
import { openWorkerContext } from '../context';
import { ensureBucket, ensureIndex } from '../jobs/ensureIndex';

const FlagsSchema = z.object({
  index: IndexNameSchema,
  logical: IndexNameSchema.optional(),
  dimension: z.string().regex(/^[1-9][0-9]{0,3}$/u, 'must be a whole number').default('384').transform(Number),
  metric: z.enum(['cosine', 'euclidean']).default('cosine'),
  settings: z.string().min(1, 'is empty'),
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
    async run(args): Promise<CommandSummary> {
      const flags = parseFlags('create-index', args, { strings: ['index', 'logical', 'dimension', 'metric', 'settings'] }, FlagsSchema);
      const ctx = await openWorkerContext(flags.settings, stderr, { index: flags.index });
      try {
        const logical = flags.logical ?? flags.index;
        const row = await ctx.ledger.registerIndex({ indexName: flags.index, logicalName: logical, bucket: ctx.config.VECTOR_BUCKET, dimension: flags.dimension, metric: flags.metric });
        await ensureBucket(ctx.oss, row.bucket);
        await ensureIndex(ctx.oss, row);
        const active = await ctx.ledger.activeIndex(logical);
        const final = active ? row : await ctx.ledger.activateIndex(flags.index);
        return { ok: true, command: 'create-index', index: final.index_name, logical, bucket: final.bucket, dimension: final.dimension, metric: final.metric, state: final.state, active: active?.index_name ?? final.index_name };
      } finally {
        await ctx.close();
      }
    },
  };
}
