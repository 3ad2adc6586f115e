// notify: archives each finished run's report in OSS and e-mails it at once or holds it for the
// index's digest, as REPORT_POLICY says (vectorsync.run.completed); sends the digests that are due
// (its timer, and a cheap look after each run); sends one digest again on an operator's
// vectorsync.digest.requested.
import { NotifyConfigSchema } from '../../shared/config';
import type { NotifyConfig } from '../../shared/config';
import { DigestRequestedEventSchema, EventType, RunCompletedEventSchema, eventUnion } from '../../shared/contracts';
import { DigestLimits, resendDigest, sendDueDigests } from '../../shared/domain/digest';
import { reportRun } from '../../shared/domain/notify';
import type { NotifyDeps } from '../../shared/domain/notify';
import { fcEventOrTimerHandler, fcHandler, fcTimerHandler } from '../../shared/middleware';
import type { HandlerTools } from '../../shared/middleware';
import { mailerFor } from '../../shared/clients/resend';
import { objectStoreFor, reportLinkSignerFor } from '../../shared/clients/oss';

function notifyDeps({ config, ledger, log, context }: HandlerTools<NotifyConfig>): NotifyDeps {
  const linkSigner = reportLinkSignerFor(config, context);
  return {
    ledger,
    store: objectStoreFor(config, context),
    ...(linkSigner ? { linkSigner } : {}),
    mailer: mailerFor(config),
    log,
    settings: { from: config.REPORT_FROM, to: config.REPORT_TO, prefix: config.REPORT_PREFIX, policy: config.REPORT_POLICY, digestMinutes: config.REPORT_DIGEST_MINUTES },
  };
}

const NotifyEventSchema = eventUnion(RunCompletedEventSchema, DigestRequestedEventSchema);

const onEvent = fcHandler({ name: 'notify', event: NotifyEventSchema, config: NotifyConfigSchema }, async (event, tools) => {
  const deps = notifyDeps(tools);
  if (event.type === EventType.DigestRequested) {
    return resendDigest(deps, { logicalName: event.data.index, windowStart: new Date(event.data.windowStart), requestId: tools.context.cloudEvent?.id ?? tools.context.requestId });
  }
  const report = await reportRun(deps, event.data.runId);
  return { ...report, digests: await sendDueDigests(deps, DigestLimits.afterRun) };
});

const onTimer = fcTimerHandler({ name: 'notify', config: NotifyConfigSchema }, async (timer, tools) => {
  const summary = await sendDueDigests(notifyDeps(tools));
  tools.log[summary.retry + summary.parked > 0 ? 'warn' : 'info']('digest tick', { triggerTime: timer.triggerTime, summary });
  return summary;
});

/** The FC entry point: EventBridge deliveries and the digest timer. */
export const handler = fcEventOrTimerHandler({ event: onEvent, timer: onTimer });
