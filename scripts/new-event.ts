// `npm run -s event -- <sync|rebuild|verify> [--index documents] [--ids id,id | --ids-file f]
//   [--no-heal] [--by you@example.com] > /tmp/run.json`
//
// Prints a fresh manual `vectorsync.run.requested` CloudEvent for `s validate invoke -f` or
// `npm run invoke -- validate -f`. Its id is new each time: validate keys the run by the event id,
// so invoking the same file twice opens one run, and a new request needs a new file.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { EventSource, EventType, RunRequestedEventSchema } from '../shared/contracts';

const USAGE = 'usage: npm run -s event -- <sync|rebuild|verify> [--index <logical index>] [--ids a,b | --ids-file <file>] [--no-heal] [--by <who>]';

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
        by: { type: 'string', default: process.env.USER ?? 'operator' },
        bus: { type: 'string', default: 'vector-sync' },
      },
    });
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n${USAGE}\n`);
    return 64;
  }
  const { values, positionals } = parsed;
  const op = positionals[0];
  const idsText = values['ids-file'] === undefined ? (values.ids ?? '') : readFileSync(values['ids-file'], 'utf8');
  const ids = idsText.split(/[\s,]+/u).filter((id) => id !== '');
  const data =
    op === 'sync' ? { op, index: values.index, ids, requestedBy: values.by }
    : op === 'verify' ? { op, index: values.index, heal: !values['no-heal'], requestedBy: values.by }
    : { op, index: values.index, requestedBy: values.by };
  const now = new Date().toISOString();
  const event = {
    id: `manual-${op ?? 'none'}-${randomUUID()}`,
    source: EventSource.Manual,
    specversion: '1.0',
    type: EventType.RunRequested,
    subject: `runs/manual/${op ?? 'none'}`,
    time: now,
    datacontenttype: 'application/json; charset=utf-8',
    // What EventBridge adds on delivery: `s invoke` hands the file to validate as if delivered.
    aliyunaccountid: process.env.ALIBABA_CLOUD_ACCOUNT_ID ?? '0',
    aliyunpublishtime: now,
    aliyuneventbusname: values.bus,
    aliyunregionid: process.env.ALIBABA_CLOUD_REGION ?? 'cn-hangzhou',
    aliyunpublishaddr: '127.0.0.1',
    data,
  };
  const checked = RunRequestedEventSchema.safeParse(event);
  if (!checked.success) {
    const problems = checked.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('\n');
    process.stderr.write(`${problems}\n${USAGE}\n`);
    return 64;
  }
  process.stdout.write(`${JSON.stringify(event, null, 2)}\n`);
  return 0;
}

process.exit(main());
