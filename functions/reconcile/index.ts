// reconcile (timer trigger): recovers silent chunks, resends lost chunk.ready and run.completed
// events and nudges collect-stats. Every step is idempotent, so no idempotency store is needed.
import { ReconcileConfigSchema } from '../../shared/config';
import { reconcile } from '../../shared/domain/reconcile';
import { fcTimerHandler } from '../../shared/middleware';
import { cloudAssistantFor } from '../../shared/clients/cloud-assistant';
import { publisherFor } from '../../shared/clients/eventbridge';

/** The FC entry point. */
export const handler = fcTimerHandler({ name: 'reconcile', config: ReconcileConfigSchema }, async (timer, { config, ledger, log, context }) => {
  const summary = await reconcile(
    {
      ledger,
      publisher: publisherFor(config, context),
      cloud: cloudAssistantFor(config, context),
      log,
      maxChunkAttempts: config.MAX_CHUNK_ATTEMPTS,
      maxChunksInFlight: config.MAX_CHUNKS_IN_FLIGHT,
      settings: {
        runCommandTimeoutSeconds: config.RUN_COMMAND_TIMEOUT_SECONDS,
        graceSeconds: config.RECONCILE_GRACE_SECONDS,
        readyStaleSeconds: config.READY_STALE_SECONDS,
      },
    },
    timer,
  );
  log[summary.problems > 0 ? 'warn' : 'info']('reconcile tick', { summary });
  return summary;
});
