// `npm run -s event -- <sync|rebuild|verify> [--index documents] [--ids id,id | --ids-file f]
//   [--no-heal] [--by you@example.com] > /tmp/run.json`
//   prints a fresh manual `vectorsync.run.requested` CloudEvent for `s validate invoke -f` (or
//   `npm run invoke -- validate -f` locally). Its id is new each time: validate keys the run by the
//   event id, so invoking the same file twice opens one run, and a new request needs a new file.
// `npm run -s event -- report --run <run id> [--outcome failed]`
//   prints the `vectorsync.run.completed` of a finished run for `s notify invoke -f` (a report that
//   was never sent is sent; a sent one is not sent twice).
// `npm run -s event -- stats --run <run id>`
//   prints a `vectorsync.stats.requested` for `s collect-stats invoke -f` (look at the run now).
// `npm run -s event -- digest [--index documents] [--window <ISO start>] [--minutes 60]`
//   prints a `vectorsync.digest.requested` for `s notify invoke -f`: notify sends that window's
//   digest again, even if it was sent (default: the last ended window of --minutes, which must be
//   notify's REPORT_DIGEST_MINUTES; that is where its default comes from too).
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { DigestRequestedEventSchema, EventSource, EventType, RunCompletedEventSchema, RunRequestedEventSchema, StatsRequestedEventSchema } from '../shared/contracts';
import { DigestWindowMinutes, digestWindowAt, lastEndedDigestWindow } from '../shared/report';
import type * as z from 'zod';

const USAGE = [
  'usage: npm run -s event -- <sync|rebuild|verify> [--index <logical index>] [--ids a,b | --ids-file <file>] [--no-heal] [--by <who>]',
  '       npm run -s event -- search [--index <logical index>] [--text "..."]... [--document-id <id>]... [--top-k 10] [--filter \'{"lang":{"$eq":"en"}}\'] [--recall] [--passages] [--by <who>]',
  '       npm run -s event -- report --run <run id> [--outcome completed|failed]',
  '       npm run -s event -- stats --run <run id>',
  '       npm run -s event -- digest [--index <logical index>] [--window <ISO start>] [--minutes <REPORT_DIGEST_MINUTES>] [--by <who>]',
].join('\n');

/** The data of a search request from the flags (checked with the event's schema below). */
function searchData(values: { index: string; text: string[]; 'document-id': string[]; 'top-k': string; filter?: string | undefined; recall: boolean; passages: boolean; by: string }): Record<string, unknown> {
  let filter: unknown;
  try {
    filter = values.filter === undefined ? undefined : JSON.parse(values.filter);
  } catch {
    filter = values.filter;
  }
  return {
    op: 'search',
    index: values.index,
    queries: [...values.text.map((text) => ({ text })), ...values['document-id'].map((documentId) => ({ documentId }))],
    topK: Number(values['top-k']),
    ...(filter === undefined ? {} : { filter }),
    recall: values.recall,
    passages: values.passages,
    requestedBy: values.by,
  };
}

function main(): number {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        index: { type: 'string', default: process.env.VECTOR_INDEX ?? 'documents' },
        ids: { type: 'string' },
        'ids-file': { type: 'string' },
        'no-heal': { type: 'boolean', default: false },
        text: { type: 'string', multiple: true, default: [] },
        'document-id': { type: 'string', multiple: true, default: [] },
        'top-k': { type: 'string', default: '10' },
        filter: { type: 'string' },
        recall: { type: 'boolean', default: false },
        passages: { type: 'boolean', default: false },
        by: { type: 'string', default: process.env.USER ?? 'operator' },
        bus: { type: 'string', default: 'vector-sync' },
        run: { type: 'string', default: '' },
        outcome: { type: 'string', default: 'completed' },
        window: { type: 'string' },
        minutes: { type: 'string', default: process.env.REPORT_DIGEST_MINUTES ?? '60' },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 64;
  }
  const { values, positionals } = parsed;
  const op = positionals[0];
  const now = new Date().toISOString();
  const delivery = {
    specversion: '1.0',
    time: now,
    datacontenttype: 'application/json; charset=utf-8',
    // What EventBridge adds on delivery: `s invoke` hands the file to the function as if delivered.
    aliyunaccountid: process.env.ALIBABA_CLOUD_ACCOUNT_ID ?? '0',
    aliyunpublishtime: now,
    aliyuneventbusname: values.bus,
    aliyunregionid: process.env.ALIBABA_CLOUD_REGION ?? 'cn-hangzhou',
    aliyunpublishaddr: '127.0.0.1',
  };
  let event: Record<string, unknown>;
  let schema: z.ZodType;
  if (op === 'digest') {
    const minutes = Number(values.minutes);
    if (!Number.isInteger(minutes) || minutes < DigestWindowMinutes.min || minutes > DigestWindowMinutes.max) {
      process.stderr.write(`--minutes must be a whole number from ${DigestWindowMinutes.min} to ${DigestWindowMinutes.max} (notify's REPORT_DIGEST_MINUTES)\n${USAGE}\n`);
      return 64;
    }
    const at = values.window === undefined ? lastEndedDigestWindow(new Date(), minutes).start : new Date(values.window);
    if (Number.isNaN(at.getTime())) {
      process.stderr.write(`--window must be an ISO 8601 date-time such as 2026-12-04T10:00:00Z, not ${values.window}\n${USAGE}\n`);
      return 64;
    }
    const windowStart = digestWindowAt(at, minutes).start.toISOString();
    if (values.window !== undefined && windowStart !== at.toISOString()) {
      process.stderr.write(`--window ${values.window} is not the start of a ${minutes}-minute window; the window that holds it starts at ${windowStart}\n${USAGE}\n`);
      return 64;
    }
    event = {
      id: `manual-digest-${randomUUID()}`,
      source: EventSource.Manual,
      type: EventType.DigestRequested,
      subject: `digests/${values.index}/${windowStart}`,
      ...delivery,
      data: { index: values.index, windowStart, requestedBy: values.by },
    };
    schema = DigestRequestedEventSchema;
  } else if (op === 'report' || op === 'stats') {
    const runId = values.run;
    const nonce = randomUUID().slice(0, 8);
    event =
      op === 'report'
        ? { id: `${runId}-report-${nonce}`, source: EventSource.Pipeline, type: EventType.RunCompleted, subject: `runs/${runId}`, ...delivery, data: { runId, outcome: values.outcome } }
        : { id: `${runId}-stats-${nonce}`, source: EventSource.Pipeline, type: EventType.StatsRequested, subject: `runs/${runId}`, ...delivery, data: { runId } };
    schema = op === 'report' ? RunCompletedEventSchema : StatsRequestedEventSchema;
  } else {
    const idsText = values['ids-file'] === undefined ? (values.ids ?? '') : readFileSync(values['ids-file'], 'utf8');
    const ids = idsText.split(/[\s,]+/u).filter((id) => id !== '');
    const data =
      op === 'sync' ? { op, index: values.index, ids, requestedBy: values.by }
      : op === 'verify' ? { op, index: values.index, heal: !values['no-heal'], requestedBy: values.by }
      : op === 'search' ? searchData(values)
      : { op, index: values.index, requestedBy: values.by };
    event = { id: `manual-${op ?? 'none'}-${randomUUID()}`, source: EventSource.Manual, type: EventType.RunRequested, subject: `runs/manual/${op ?? 'none'}`, ...delivery, data };
    schema = RunRequestedEventSchema;
  }
  const checked = schema.safeParse(event);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
    process.stderr.write(`${problems}\n${USAGE}\n`);
    return 64;
  }
  process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
  return 0;
}

process.exit(main());
