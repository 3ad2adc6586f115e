// collect-stats: Cloud Assistant's TaskCompleted settles a chunk attempt; vectorsync.stats.requested
// looks at a run. Either closes the run once every chunk is final and publishes run.completed once.
import middy from '@middy/core';
import { CollectStatsConfigSchema, configGetter } from '../../shared/config';
import { EventType, StatsRequestedEventSchema, TaskCompletedEventSchema, eventUnion } from '../../shared/contracts';
import type { StatsRequestedData, TaskCompletedData } from '../../shared/contracts';
import { collectStats } from '../../shared/domain/collect';
import type { CollectStatsInput, CollectStatsResult } from '../../shared/domain/collect';
import { fcPipeline } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
// Direct imports: the runtime index would also pull in ali-oss, which this function does not use.
import { ledgerFor } from '../../shared/runtime/ledgerFor';
import { parkInLedger } from '../../shared/runtime/parkInLedger';
import { publisherFor } from '../../shared/clients/eventbridge';

const config = configGetter('collect-stats', CollectStatsConfigSchema);
// Parking needs only the database: a bad setting elsewhere is parked, not turned into a retry.
const parkConfig = configGetter('collect-stats', CollectStatsConfigSchema.pick({ SUPABASE_DB_URL: true }));

function toInput(data: TaskCompletedData | StatsRequestedData): CollectStatsInput {
  return 'commandId' in data ? { type: EventType.TaskCompleted, data } : { type: EventType.StatsRequested, data };
}

async function run(data: TaskCompletedData | StatsRequestedData, context: PipelineContext): Promise<CollectStatsResult> {
  const settings = config();
  const { sql, ledger } = ledgerFor(settings.SUPABASE_DB_URL);
  const deps = { sql, ledger, publisher: publisherFor(settings, context), log: context.log, maxChunkAttempts: settings.MAX_CHUNK_ATTEMPTS };
  return collectStats(deps, toInput(data));
}

/** The FC entry point. */
export const handler = middy(run).use(
  fcPipeline({
    schema: eventUnion(TaskCompletedEventSchema, StatsRequestedEventSchema),
    park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql),
  }),
);
