// notify: on vectorsync.run.completed, archives the run's report in OSS and e-mails it once.
import middy from '@middy/core';
import { NotifyConfigSchema, configGetter } from '../../shared/config';
import { RunCompletedEventSchema } from '../../shared/contracts';
import type { RunCompletedData } from '../../shared/contracts';
import { sendRunReport } from '../../shared/domain/notify';
import type { NotifyResult } from '../../shared/domain/notify';
import { fcPipeline } from '../../shared/middleware';
import type { PipelineContext } from '../../shared/middleware';
import { objectStoreFor, reportLinkSignerFor } from '../../shared/clients/oss';
import { mailerFor } from '../../shared/clients/resend';
import { ledgerFor, parkInLedger } from '../../shared/runtime';

const config = configGetter('notify', NotifyConfigSchema);
// Parking needs only the database: a bad setting elsewhere is parked, not turned into a retry.
const parkConfig = configGetter('notify', NotifyConfigSchema.pick({ SUPABASE_DB_URL: true }));

async function run(data: RunCompletedData, context: PipelineContext): Promise<NotifyResult> {
  const settings = config();
  const { sql, ledger } = ledgerFor(settings.SUPABASE_DB_URL);
  const linkSigner = reportLinkSignerFor(settings, context);
  return sendRunReport(
    {
      sql,
      ledger,
      store: objectStoreFor(settings, context),
      ...(linkSigner ? { linkSigner } : {}),
      mailer: mailerFor(settings),
      log: context.log,
      settings: { from: settings.REPORT_FROM, to: settings.REPORT_TO, prefix: settings.REPORT_PREFIX },
    },
    data.runId,
  );
}

/** The FC entry point. */
export const handler = middy(run).use(
  fcPipeline({ schema: RunCompletedEventSchema, park: parkInLedger(() => ledgerFor(parkConfig().SUPABASE_DB_URL).sql) }),
);
