// validate: a change batch from Supabase or a manual request opens a run in the ledger (keyed by
// the event id) and is announced with vectorsync.run.accepted.
import middy from '@middy/core';
import { ValidateConfigSchema, configGetter } from '../../shared/config';
import { ChangesPublishedEventSchema, EventType, RunRequestedEventSchema, eventUnion } from '../../shared/contracts';
import type { ChangesPublishedData, RunRequestedData } from '../../shared/contracts';
import { acceptRun } from '../../shared/domain/validate';
import type { AcceptRunResult } from '../../shared/domain/validate';
import { fcPipeline } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
// Direct imports: the runtime index would also pull in ali-oss, which this function does not use.
import { ledgerFor } from '../../shared/runtime/ledgerFor';
import { parkInLedger } from '../../shared/runtime/parkInLedger';
import { publisherFor } from '../../shared/clients/eventbridge';

const config = configGetter('validate', ValidateConfigSchema);
// Parking needs only the database: a bad setting elsewhere is parked, not turned into a retry.
const parkConfig = configGetter('validate', ValidateConfigSchema.pick({ SUPABASE_DB_URL: true }));

async function run(data: ChangesPublishedData | RunRequestedData, context: PipelineContext): Promise<AcceptRunResult> {
  const settings = config();
  const envelope = context.cloudEvent;
  const id = envelope?.id ?? context.requestId;
  const bus = envelope?.aliyuneventbusname;
  const source = 'changes' in data
    ? { id, bus, type: EventType.ChangesPublished, data }
    : { id, bus, type: EventType.RunRequested, data };
  const result = await acceptRun(
    {
      ledger: ledgerFor(settings.SUPABASE_DB_URL).ledger,
      publisher: publisherFor(settings, context),
      busName: settings.EVENT_BUS_NAME,
      defaults: { bucket: settings.VECTOR_BUCKET, dimension: settings.VECTOR_DIMENSION, metric: settings.VECTOR_METRIC },
    },
    source,
  );
  context.log.info('run accepted', { ...result });
  return result;
}

/** The FC entry point. */
export const handler = middy(run).use(
  fcPipeline({
    schema: eventUnion(ChangesPublishedEventSchema, RunRequestedEventSchema),
    park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql),
  }),
);
