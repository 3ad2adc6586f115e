// notify: on vectorsync.run.completed, archives the run's report in OSS and e-mails it once.
import { NotifyConfigSchema } from '../../shared/config';
import { RunCompletedEventSchema } from '../../shared/contracts';
import { sendRunReport } from '../../shared/domain/notify';
import { fcHandler } from '../../shared/middleware';
import { mailerFor } from '../../shared/clients/resend';
import { objectStoreFor, reportLinkSignerFor } from '../../shared/clients/oss';

/** The FC entry point. */
export const handler = fcHandler({ name: 'notify', event: RunCompletedEventSchema, config: NotifyConfigSchema }, async ({ data }, { config, ledger, log, context }) => {
  const linkSigner = reportLinkSignerFor(config, context);
  return sendRunReport(
    {
      ledger,
      store: objectStoreFor(config, context),
      ...(linkSigner ? { linkSigner } : {}),
      mailer: mailerFor(config),
      log,
      settings: { from: config.REPORT_FROM, to: config.REPORT_TO, prefix: config.REPORT_PREFIX },
    },
    data.runId,
  );
});
