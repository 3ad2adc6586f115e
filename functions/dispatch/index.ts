// dispatch: a ready chunk takes a slot of the pool and goes to a worker instance with Cloud
// Assistant RunCommand; without a free slot it is deferred (it waits in ready, no retry).
import { DispatchConfigSchema } from '../../shared/config';
import { ChunkReadyEventSchema } from '../../shared/contracts';
import { dispatchChunk } from '../../shared/domain/dispatch';
import { fcHandler } from '../../shared/middleware';
import { cloudAssistantFor } from '../../shared/clients/cloud-assistant';
import { objectStoreFor } from '../../shared/clients/oss';

const DispatchLogMessages = {
  dispatched: 'chunk dispatched',
  deferred: 'chunk deferred: every slot of the pool is taken',
  skipped: 'chunk not ready; nothing to do',
} as const;

/** The FC entry point. */
export const handler = fcHandler({ name: 'dispatch', event: ChunkReadyEventSchema, config: DispatchConfigSchema }, async ({ data }, { config, ledger, log, context }) => {
  const result = await dispatchChunk(
    {
      ledger,
      cloudAssistant: cloudAssistantFor(config, context),
      bundle: { store: objectStoreFor(config, context), prefix: config.WORKER_PREFIX, version: config.WORKER_VERSION },
      instanceIds: config.ECS_INSTANCE_IDS,
      timeoutSeconds: config.RUN_COMMAND_TIMEOUT_SECONDS,
      maxChunksInFlight: config.MAX_CHUNKS_IN_FLIGHT,
      log,
    },
    data,
  );
  log.info(DispatchLogMessages[result.status], { ...result });
  return result;
});
