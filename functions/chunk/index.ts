// chunk: an accepted run is cut into chunks (id lists for sync, key ranges for rebuild and verify)
// and each chunk is announced with vectorsync.chunk.ready.
import middy from '@middy/core';
import { ChunkConfigSchema, configGetter } from '../../shared/config';
import { RunAcceptedEventSchema } from '../../shared/contracts';
import type { RunAcceptedData } from '../../shared/contracts';
import { announceChunks } from '../../shared/domain/chunk';
import type { AnnounceChunksResult } from '../../shared/domain/chunk';
import { fcPipeline } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
// Direct imports: the runtime index would also pull in ali-oss, which this function does not use.
import { ledgerFor } from '../../shared/runtime/ledgerFor';
import { parkInLedger } from '../../shared/runtime/parkInLedger';
import { publisherFor } from '../../shared/clients/eventbridge';

const config = configGetter('chunk', ChunkConfigSchema);
const parkConfig = configGetter('chunk', ChunkConfigSchema.pick({ SUPABASE_DB_URL: true }));

async function run(data: RunAcceptedData, context: PipelineContext): Promise<AnnounceChunksResult> {
  const settings = config();
  const result = await announceChunks(
    {
      sql: ledgerFor(settings.SUPABASE_DB_URL).sql,
      publisher: publisherFor(settings, context),
      sizes: { idsPerChunk: settings.SYNC_CHUNK_IDS, rowsPerRange: settings.RANGE_CHUNK_ROWS },
    },
    data.runId,
  );
  context.log.info('run chunked', { ...result });
  return result;
}

/** The FC entry point. */
export const handler = middy(run).use(
  fcPipeline({ schema: RunAcceptedEventSchema, park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql) }),
);
