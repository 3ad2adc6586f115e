// `npm run -s event`: the event files operators hand to `s <fn> invoke -f`.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DigestRequestedEventSchema, RunCompletedEventSchema, RunRequestedEventSchema, StatsRequestedEventSchema } from '../../shared/contracts';
import { lastEndedDigestWindow } from '../../shared/report';
import { projectRoot } from './deployFiles';

async function event(args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const child = spawn(join(projectRoot, 'node_modules/.bin/tsx'), [join(projectRoot, 'scripts/new-event.ts'), ...args], { env: { PATH: process.env.PATH, ALIBABA_CLOUD_ACCOUNT_ID: '1234567890123456' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const [status] = (await once(child, 'close')) as [number | null];
  return { status, stdout, stderr };
}

const RUN = '2d7c9e4a-6b1f-4c3d-9a8e-0f1b2c3d4e5f';

describe('npm run -s event', () => {
  it('writes a valid run request with a new id each time', async () => {
    const [first, second] = await Promise.all([event(['rebuild', '--index', 'docs']), event(['rebuild', '--index', 'docs'])]);
    const a = RunRequestedEventSchema.parse(JSON.parse(first.stdout));
    const b = RunRequestedEventSchema.parse(JSON.parse(second.stdout));
    expect(a.data).toMatchObject({ op: 'rebuild', index: 'docs' });
    expect(a.id).not.toBe(b.id);
    expect(a.aliyuneventbusname).toBe('vector-sync');
    expect(a.aliyunaccountid).toBe('1234567890123456');
  }, 30_000);

  it('writes sync, verify, report and stats events the handlers accept', async () => {
    const [sync, verify, report, stats] = await Promise.all([
      event(['sync', '--index', 'docs', '--ids', `${RUN},0b8e6f3c-5d2a-4e91-9c47-1f2a3b4c5d6e`]),
      event(['verify', '--index', 'docs', '--no-heal']),
      event(['report', '--run', RUN, '--outcome', 'failed']),
      event(['stats', '--run', RUN]),
    ]);
    expect(RunRequestedEventSchema.parse(JSON.parse(sync.stdout)).data).toMatchObject({ op: 'sync', ids: [RUN, '0b8e6f3c-5d2a-4e91-9c47-1f2a3b4c5d6e'] });
    expect(RunRequestedEventSchema.parse(JSON.parse(verify.stdout)).data).toMatchObject({ op: 'verify', heal: false });
    expect(RunCompletedEventSchema.parse(JSON.parse(report.stdout)).data).toEqual({ runId: RUN, outcome: 'failed' });
    expect(StatsRequestedEventSchema.parse(JSON.parse(stats.stdout)).data).toEqual({ runId: RUN });
  }, 30_000);

  it('writes a digest request for the last ended window by default, or for the window asked for', async () => {
    // Prepare
    const expected = lastEndedDigestWindow(new Date(), 30).start.toISOString();
    // Act
    const [latest, asked] = await Promise.all([
      event(['digest', '--index', 'docs', '--minutes', '30']),
      event(['digest', '--index', 'docs', '--window', '2026-12-04T10:00:00+02:00']),
    ]);
    // Assess
    const latestEvent = DigestRequestedEventSchema.parse(JSON.parse(latest.stdout));
    // The clock may pass a window boundary between the two readings.
    expect([expected, lastEndedDigestWindow(new Date(), 30).start.toISOString()]).toContain(latestEvent.data.windowStart);
    expect(latestEvent).toMatchObject({ source: 'vectorsync.manual', type: 'vectorsync.digest.requested', data: { index: 'docs' } });
    expect(DigestRequestedEventSchema.parse(JSON.parse(asked.stdout)).data.windowStart).toBe('2026-12-04T08:00:00.000Z');
  }, 30_000);

  it('refuses a digest window that does not start a window', async () => {
    const result = await event(['digest', '--index', 'docs', '--window', '2026-12-04T10:15:00Z']);
    expect(result.status).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('is not the start of a 60-minute window; the window that holds it starts at 2026-12-04T10:00:00.000Z');
  }, 30_000);

  it('refuses a request the handler would refuse, saying why', async () => {
    const result = await event(['sync', '--index', 'docs']);
    expect(result.status).toBe(64);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('a sync run needs at least one id');
  }, 30_000);
});
