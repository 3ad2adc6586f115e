import * as z from 'zod';
import { scanVectors } from '../../shared/clients/oss-vectors';
import { IndexNameSchema } from '../../shared/contracts';
import { estimateIndexBytes } from '../../shared/domain/report';
import { parseFlags, UsageError } from '../cli';
import type { CommandSummary, WorkerCommand } from '../cli';
import { openWorkerContext } from '../context';

const FlagsSchema = z.object({ index: IndexNameSchema, settings: z.string().min(1, 'is empty'), scan: z.boolean().default(false) });

/**
 * `stats --index <logical> [--scan] --settings <file>`: the active generation, TotalVectors from the
 * ledger's index_state, the estimated size and, with `--scan`, the key count ListVectors finds
 * (OSS Vectors itself reports no counts).
 */
export function statsCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'stats',
    description: 'index statistics of the active generation (--index, --scan, --settings)',
    async run(args): Promise<CommandSummary> {
      const flags = parseFlags('stats', args, { strings: ['index', 'settings'], booleans: ['scan'] }, FlagsSchema);
      const ctx = await openWorkerContext(flags.settings, stderr, { index: flags.index });
      try {
        const active = await ctx.ledger.activeIndex(flags.index);
        if (!active) throw new UsageError(`stats: index ${flags.index} has no active generation`);
        const { totalVectors, lastSyncedAt } = await ctx.store.indexStats(active.index_name);
        let scanned: number | undefined;
        if (flags.scan) {
          scanned = 0;
          for await (const _vector of scanVectors(ctx.oss, { bucket: active.bucket, indexName: active.index_name, segmentCount: 4 })) scanned += 1;
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
      } finally {
        await ctx.close();
      }
    },
  };
}
