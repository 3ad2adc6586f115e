// collect-stats: Cloud Assistant's TaskCompleted settles a chunk attempt; vectorsync.stats.requested
// looks at a run. Either closes the run once every chunk is final and publishes run.completed once.
import { CollectStatsConfigSchema } from '../../shared/config';
import { StatsRequestedEventSchema, TaskCompletedEventSchema, eventUnion } from '../../shared/contracts';
import { collectStats } from '../../shared/domain/collect';
import { fcHandler } from '../../shared/middleware';
import { publisherFor } from '../../shared/clients/eventbridge';

/** The FC entry point. */
export const handler = fcHandler(
  { name: 'collect-stats', event: eventUnion(TaskCompletedEventSchema, StatsRequestedEventSchema), config: CollectStatsConfigSchema },
  (event, { config, ledger, log, context }) =>
    collectStats({ ledger, publisher: publisherFor(config, context), log, maxChunkAttempts: config.MAX_CHUNK_ATTEMPTS, maxChunksInFlight: config.MAX_CHUNKS_IN_FLIGHT }, event),
);
