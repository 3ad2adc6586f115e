// chunk: an accepted run is cut into chunks (id lists for sync, key ranges for rebuild and verify)
// and the chunks that get the pool's free slots are announced with vectorsync.chunk.ready.
import { ChunkConfigSchema } from '../../shared/config';
import { RunAcceptedEventSchema } from '../../shared/contracts';
import { announceChunks } from '../../shared/domain/chunk';
import { fcHandler } from '../../shared/middleware';
import { publisherFor } from '../../shared/clients/eventbridge';

/** The FC entry point. */
export const handler = fcHandler({ name: 'chunk', event: RunAcceptedEventSchema, config: ChunkConfigSchema }, async ({ data }, { config, ledger, log, context }) => {
  const deps = { ledger, publisher: publisherFor(config, context), maxIds: config.CHUNK_MAX_IDS, maxChunksInFlight: config.MAX_CHUNKS_IN_FLIGHT };
  const result = await announceChunks(deps, data.runId);
  log.info('run chunked', { ...result });
  return result;
});
