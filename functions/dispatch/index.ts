// dispatch: a ready chunk goes to a worker instance with Cloud Assistant RunCommand.
import { DispatchConfigSchema } from '../../shared/config';
import { ChunkReadyEventSchema } from '../../shared/contracts';
import { dispatchChunk } from '../../shared/domain/dispatch';
import { fcHandler } from '../../shared/middleware';
import { cloudAssistantFor } from '../../shared/clients/cloud-assistant';
import { objectStoreFor } from '../../shared/clients/oss';

/** The FC entry point. */
export const handler = fcHandler({ name: 'dispatch', event: ChunkReadyEventSchema, config: DispatchConfigSchema }, async ({ data }, { config, ledger, log, context }) => {
  const result = await dispatchChunk(
    {
      ledger,
      cloudAssistant: cloudAssistantFor(config, context),
      bundle: { store: objectStoreFor(config, context), prefix: config.WORKER_PREFIX, version: config.WORKER_VERSION },
      instanceIds: config.ECS_INSTANCE_IDS,
      timeoutSeconds: config.RUN_COMMAND_TIMEOUT_SECONDS,
      log,
    },
    data,
  );
  log.info(result.status === 'dispatched' ? 'chunk dispatched' : 'chunk not ready; nothing to do', { ...result });
  return result;
});
