// Report policy and digests as pure logic: the policy's decision for every kind of run, the digest
// windows, the digest's totals and the rendered digest (escaped, with room for other sections).
import { describe, expect, it } from 'vitest';
import { ConfigError, NotifyConfigSchema, loadConfig } from '../../shared/config';
import { digestIdempotencyKey } from '../../shared/domain/digest';
import { isChangeDriven, reportDisposition } from '../../shared/domain/notify';
import { DIGEST_LISTED_RUNS, buildDigestReport, digestTotals, digestWindowAt, formatDigestWindow, lastEndedDigestWindow, renderDigest } from '../../shared/report';
import type { DigestRunLine } from '../../shared/report';

describe('reportDisposition', () => {
  it.each([
    // policy, outcome, change-driven, disposition
    ['digest', 'failed', true, 'sent'],
    ['digest', 'failed', false, 'sent'],
    ['digest', 'completed', false, 'sent'],
    ['digest', 'completed', true, 'digest'],
    ['every-run', 'failed', true, 'sent'],
    ['every-run', 'failed', false, 'sent'],
    ['every-run', 'completed', false, 'sent'],
    ['every-run', 'completed', true, 'sent'],
    ['failures-only', 'failed', true, 'sent'],
    ['failures-only', 'failed', false, 'sent'],
    ['failures-only', 'completed', false, 'archived-only'],
    ['failures-only', 'completed', true, 'archived-only'],
  ] as const)('under %s, a %s run (change-driven: %s) is %s', (policy, outcome, changeDriven, disposition) => {
    // Act
    const decided = reportDisposition(policy, { outcome, changeDriven });
    // Assess
    expect(decided).toBe(disposition);
  });

  it('counts a run as change-driven only when it was opened from a change batch', () => {
    expect(isChangeDriven({ batch_id: '0b8e6f3c-5d2a-4e91-9c47-1f2a3b4c5d6e' })).toBe(true);
    expect(isChangeDriven({ batch_id: null })).toBe(false);
  });
});

describe('notify settings', () => {
  const env = {
    SUPABASE_DB_URL: 'postgres://user:pw@localhost:5432/postgres',
    RESEND_API_KEY: 're_123',
    REPORT_FROM: 'vector-sync@example.com',
    REPORT_TO: 'ops@example.com',
    OSS_ENDPOINT: 'oss-cn-hangzhou.aliyuncs.com',
    OSS_BUCKET: 'vector-sync-reports',
  };

  it('defaults to the digest policy and hour windows', () => {
    // Act
    const config = loadConfig('notify', NotifyConfigSchema, env);
    // Assess
    expect(config).toMatchObject({ REPORT_POLICY: 'digest', REPORT_DIGEST_MINUTES: 60 });
  });

  it.each([
    ['REPORT_POLICY', 'weekly', 'must be digest, every-run or failures-only'],
    ['REPORT_DIGEST_MINUTES', '0', 'must be at least 1'],
    ['REPORT_DIGEST_MINUTES', '1441', 'must be at most 1440'],
    ['REPORT_DIGEST_MINUTES', '7.5', 'must be a whole number'],
  ])('names %s=%s', (variable, value, message) => {
    // Act
    const error = (() => {
      try {
        loadConfig('notify', NotifyConfigSchema, { ...env, [variable]: value });
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variables).toEqual([variable]);
    expect((error as ConfigError).message).toContain(`${variable}: ${message}`);
  });
});

describe('digest windows', () => {
  it.each([
    ['2026-12-04T10:37:12.345Z', 60, '2026-12-04T10:00:00.000Z', '2026-12-04T11:00:00.000Z'],
    ['2026-12-04T10:37:12.345Z', 15, '2026-12-04T10:30:00.000Z', '2026-12-04T10:45:00.000Z'],
    ['2026-12-04T10:30:00.000Z', 15, '2026-12-04T10:30:00.000Z', '2026-12-04T10:45:00.000Z'],
    ['2026-12-04T10:29:59.999Z', 15, '2026-12-04T10:15:00.000Z', '2026-12-04T10:30:00.000Z'],
    ['2026-12-04T23:59:59.000Z', 1440, '2026-12-04T00:00:00.000Z', '2026-12-05T00:00:00.000Z'],
    ['2026-12-04T10:01:30.000Z', 1, '2026-12-04T10:01:00.000Z', '2026-12-04T10:02:00.000Z'],
  ])('puts %s in the %i-minute window from %s to %s', (at, minutes, start, end) => {
    // Act
    const window = digestWindowAt(new Date(at), minutes);
    // Assess
    expect({ start: window.start.toISOString(), end: window.end.toISOString(), minutes: window.minutes }).toEqual({ start, end, minutes });
  });

  it('takes the last ended window to be the one before the window of now', () => {
    expect(lastEndedDigestWindow(new Date('2026-12-04T10:37:00Z'), 60).start.toISOString()).toBe('2026-12-04T09:00:00.000Z');
    expect(lastEndedDigestWindow(new Date('2026-12-04T10:00:00Z'), 60).start.toISOString()).toBe('2026-12-04T09:00:00.000Z');
  });

  it.each([0, 1441, 2.5])('refuses a window of %s minutes', (minutes) => {
    expect(() => digestWindowAt(new Date(), minutes)).toThrow(RangeError);
  });

  it('keys a digest by index and window, and a send by hand by its request too', () => {
    const start = new Date('2026-12-04T10:00:00Z');
    expect(digestIdempotencyKey('documents', start)).toBe('digest/documents/2026-12-04T10:00:00.000Z');
    expect(digestIdempotencyKey('documents', start, 'manual-digest-1')).toBe('digest/documents/2026-12-04T10:00:00.000Z/manual-digest-1');
  });
});

function line(overrides: Partial<DigestRunLine> = {}): DigestRunLine {
  return {
    runId: '3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f',
    op: 'sync',
    indexName: 'documentsg1',
    outcome: 'completed',
    startedAt: '2026-12-04T10:05:00.000Z',
    finishedAt: '2026-12-04T10:05:09.000Z',
    durationMs: 9_000,
    ids: 130,
    chunks: 1,
    upserted: 120,
    deleted: 3,
    unchanged: 5,
    rejected: 2,
    failed: 0,
    ...overrides,
  };
}

const window = digestWindowAt(new Date('2026-12-04T10:00:00Z'), 60);

describe('digestTotals', () => {
  it('sums every count, the chunks and the time, and keeps the longest run', () => {
    // Act
    const totals = digestTotals([line(), line({ ids: 20_000, chunks: 4, upserted: 19_990, deleted: 0, unchanged: 8, rejected: 0, failed: 2, durationMs: 61_000 })]);
    // Assess
    expect(totals).toEqual({ runs: 2, ids: 20_130, upserted: 20_110, deleted: 3, unchanged: 13, rejected: 2, failed: 2, chunks: 5, durationMs: 70_000, longestMs: 61_000 });
  });

  it('sums nothing to zeros', () => {
    expect(digestTotals([])).toEqual({ runs: 0, ids: 0, upserted: 0, deleted: 0, unchanged: 0, rejected: 0, failed: 0, chunks: 0, durationMs: 0, longestMs: 0 });
  });
});

describe('renderDigest', () => {
  const digest = buildDigestReport({
    logicalName: 'documents',
    window,
    runs: [line({ reportUrl: 'https://b.oss-cn-hangzhou.aliyuncs.com/reports/2026/12/r.html?sig="x"&a=1' }), line({ runId: 'run-<b>2</b>', indexName: '<i>gen</i>', upserted: 1, rejected: 0 })],
    generatedAt: new Date('2026-12-04T11:00:05Z'),
    archiveUrl: 'https://b.oss-cn-hangzhou.aliyuncs.com/reports/digests/d.html?sig=<s>',
  });

  it('names the index, the window and the totals in the subject', () => {
    // Act
    const { subject } = renderDigest(digest);
    // Assess
    expect(subject).toBe('[vector-sync] digest documents 2026-12-04 10:00–11:00 UTC: 2 runs, 121 upserted, 6 deleted, 2 rejected');
  });

  it('names both days of a window that ends on the next one', () => {
    expect(formatDigestWindow({ start: '2026-12-04T00:00:00.000Z', end: '2026-12-05T00:00:00.000Z', minutes: 1440 })).toBe('2026-12-04 00:00 – 2026-12-05 00:00 UTC');
  });

  it('lists each run with a link to its archived report and links the archived digest, escaping everything', () => {
    // Act
    const { html, text } = renderDigest(digest);
    // Assess
    expect(html).toContain('<a href="https://b.oss-cn-hangzhou.aliyuncs.com/reports/2026/12/r.html?sig=&#34;x&#34;&#38;a=1"><code>3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f</code></a>');
    expect(html).toContain('<code>run-&#60;b&#62;2&#60;/b&#62;</code>');
    expect(html).toContain('&#60;i&#62;gen&#60;/i&#62;');
    expect(html).not.toContain('<b>2</b>');
    expect(html).toContain('href="https://b.oss-cn-hangzhou.aliyuncs.com/reports/digests/d.html?sig=&#60;s&#62;"');
    expect(text).toContain('Runs          2');
    expect(text).toContain('https://b.oss-cn-hangzhou.aliyuncs.com/reports/2026/12/r.html?sig="x"&a=1');
  });

  it('puts sections of other modules after the totals, titled and escaped by title', () => {
    // Act
    const { html, text } = renderDigest(digest, [{ title: 'Index <health>', html: '<p id="health">coverage 100%</p>', text: 'coverage 100%' }]);
    // Assess
    expect(html.indexOf('Totals')).toBeLessThan(html.indexOf('Index &#60;health&#62;'));
    expect(html.indexOf('<p id="health">')).toBeLessThan(html.indexOf('>Runs</h2>'));
    expect(text).toContain('Index <health>:\ncoverage 100%');
  });

  it(`lists at most ${DIGEST_LISTED_RUNS} runs and says how many more the archive holds`, () => {
    // Prepare
    const many = buildDigestReport({ logicalName: 'documents', window, runs: Array.from({ length: DIGEST_LISTED_RUNS + 5 }, (_, i) => line({ runId: `run-${i}` })), generatedAt: new Date() });
    // Act
    const { html, subject } = renderDigest(many);
    // Assess
    expect(subject).toContain(`${DIGEST_LISTED_RUNS + 5} runs`);
    expect(html).toContain(`run-${DIGEST_LISTED_RUNS - 1}<`);
    expect(html).not.toContain(`run-${DIGEST_LISTED_RUNS}<`);
    expect(html).toContain('and 5 more runs');
  });
});
