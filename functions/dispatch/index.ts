// dispatch: a ready chunk goes to a worker instance with Cloud Assistant RunCommand.
import middy from '@middy/core';
import { DispatchConfigSchema, configGetter } from '../../shared/config';
import { ChunkReadyEventSchema } from '../../shared/contracts';
import type { ChunkReadyData } from '../../shared/contracts';
import { dispatchChunk } from '../../shared/domain/dispatch';
import type { DispatchChunkResult } from '../../shared/domain/dispatch';
import { fcPipeline } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
import { cloudAssistantFor } from '../../shared/clients/cloud-assistant';
import { objectStoreFor } from '../../shared/clients/oss';
import { ledgerFor, parkInLedger } from '../../shared/runtime';

const config = configGetter('dispatch', DispatchConfigSchema);
const parkConfig = configGetter('dispatch', DispatchConfigSchema.pick({ SUPABASE_DB_URL: true }));

async function run(data: ChunkReadyData, context: PipelineContext): Promise<DispatchChunkResult> {
  const settings = config();
  const { sql, ledger } = ledgerFor(settings.SUPABASE_DB_URL);
  const result = await dispatchChunk(
    {
      sql,
      ledger,
      cloudAssistant: cloudAssistantFor(settings, context),
      bundle: { store: objectStoreFor(settings, context), prefix: settings.WORKER_PREFIX, version: settings.WORKER_VERSION },
      instanceIds: settings.ECS_INSTANCE_IDS,
      timeoutSeconds: settings.RUN_COMMAND_TIMEOUT_SECONDS,
      log: context.log,
    },
    data,
  );
  context.log.info(result.status === 'dispatched' ? 'chunk dispatched' : 'chunk not ready; nothing to do', { ...result });
  return result;
}

/** The FC entry point. */
export const handler = middy(run).use(
  fcPipeline({ schema: ChunkReadyEventSchema, park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql) }),
);
