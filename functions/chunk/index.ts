// chunk: an accepted run is cut into chunks (id lists for sync, key ranges for rebuild and verify)
// and each chunk is announced with vectorsync.chunk.ready.
import { ChunkConfigSchema } from '../../shared/config';
import { RunAcceptedEventSchema } from '../../shared/contracts';
import { announceChunks } from '../../shared/domain/chunk';
import { fcHandler } from '../../shared/middleware';
import { publisherFor } from '../../shared/clients/eventbridge';

/** The FC entry point. */
export const handler = fcHandler({ name: 'chunk', event: RunAcceptedEventSchema, config: ChunkConfigSchema }, async ({ data }, { config, ledger, log, context }) => {
  const sizes = { idsPerChunk: config.SYNC_CHUNK_IDS, rowsPerRange: config.RANGE_CHUNK_ROWS };
  const result = await announceChunks({ ledger, publisher: publisherFor(config, context), sizes }, data.runId);
  log.info('run chunked', { ...result });
  return result;
});
