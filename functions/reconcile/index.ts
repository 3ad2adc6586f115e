// reconcile (timer trigger): recovers silent chunks, resends lost chunk.ready and run.completed
// events and nudges collect-stats. Every step is idempotent, so no idempotency store is needed.
import middy from '@middy/core';
import { ReconcileConfigSchema, configGetter } from '../../shared/config';
import type { TimerEvent } from '../../shared/contracts';
import { reconcile } from '../../shared/domain/reconcile';
import type { ReconcileSummary } from '../../shared/domain/reconcile';
import { classifyErrors, decodeEvent, jsonLogger } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
// Direct imports: the runtime index would also pull in ali-oss, which this function does not use.
import { cloudAssistantFor } from '../../shared/clients/cloud-assistant';
import { ledgerFor } from '../../shared/runtime/ledgerFor';
import { parkInLedger } from '../../shared/runtime/parkInLedger';
import { publisherFor } from '../../shared/clients/eventbridge';
import { parseTimerEvent } from './parseTimerEvent';

const config = configGetter('reconcile', ReconcileConfigSchema);
// Parking needs only the database: a bad setting elsewhere is parked, not turned into a retry.
const parkConfig = configGetter('reconcile', ReconcileConfigSchema.pick({ SUPABASE_DB_URL: true }));

async function run(timer: TimerEvent, context: PipelineContext): Promise<ReconcileSummary> {
  const settings = config();
  const { sql, ledger } = ledgerFor(settings.SUPABASE_DB_URL);
  const summary = await reconcile(
    {
      sql,
      ledger,
      publisher: publisherFor(settings, context),
      cloud: cloudAssistantFor(settings, context),
      log: context.log,
      maxChunkAttempts: settings.MAX_CHUNK_ATTEMPTS,
      settings: {
        runCommandTimeoutSeconds: settings.RUN_COMMAND_TIMEOUT_SECONDS,
        graceSeconds: settings.RECONCILE_GRACE_SECONDS,
        readyStaleSeconds: settings.READY_STALE_SECONDS,
      },
    },
    timer,
  );
  context.log[summary.problems > 0 ? 'warn' : 'info']('reconcile tick', { summary });
  return summary;
}

/** The FC entry point. */
export const handler = middy(run).use([
  jsonLogger(),
  decodeEvent(),
  parseTimerEvent(),
  classifyErrors({ park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql) }),
]);
