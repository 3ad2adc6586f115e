// validate: a change batch from Supabase or a manual request opens a run in the ledger (keyed by
// the event id) and is announced with vectorsync.run.accepted.
import { ValidateConfigSchema } from '../../shared/config';
import { ChangesPublishedEventSchema, RunRequestedEventSchema, eventUnion } from '../../shared/contracts';
import { acceptRun } from '../../shared/domain/validate';
import { fcHandler } from '../../shared/middleware';
import { publisherFor } from '../../shared/clients/eventbridge';

/** The FC entry point. */
export const handler = fcHandler(
  { name: 'validate', event: eventUnion(ChangesPublishedEventSchema, RunRequestedEventSchema), config: ValidateConfigSchema },
  async (event, { config, ledger, log, context }) => {
    const envelope = context.cloudEvent;
    const result = await acceptRun(
      {
        ledger,
        publisher: publisherFor(config, context),
        defaults: { bucket: config.VECTOR_BUCKET, dimension: config.VECTOR_DIMENSION, metric: config.VECTOR_METRIC },
      },
      { ...event, id: envelope?.id ?? context.requestId },
    );
    log.info('run accepted', { ...result });
    return result;
  },
);
