import * as z from 'zod';
import { parseFlags } from '../cli';
import type { CommandSummary, WorkerCommand } from '../cli';
import { openWorkerContext } from '../context';
import { runChunk } from '../jobs/runChunk';

const FlagsSchema = z.object({
  runId: z.uuid({ message: 'must be a run id (uuid)' }),
  chunkNo: z.string().regex(/^(0|[1-9][0-9]{0,5})$/u, 'must be a chunk number').transform(Number),
  settings: z.string().min(1, 'is empty'),
});

/** `chunk --run-id <uuid> --chunk-no <n> --settings <file>`: what run-chunk.sh starts. */
export function chunkCommand(stderr: (line: string) => void): WorkerCommand {
  return {
    name: 'chunk',
    description: 'sync, rebuild or verify one chunk of a run (--run-id, --chunk-no, --settings)',
    async run(args): Promise<CommandSummary> {
      const flags = parseFlags('chunk', args, { strings: ['run-id', 'chunk-no', 'settings'] }, FlagsSchema);
      const ctx = await openWorkerContext(flags.settings, stderr, { runId: flags.runId, chunkNo: flags.chunkNo });
      try {
        const result = await runChunk(ctx, flags.runId, flags.chunkNo);
        ctx.logger.info('chunk done', result);
        return { ok: true, command: 'chunk', ...result };
      } finally {
        await ctx.close();
      }
    },
  };
}
