import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IndexHealthSchema } from '../../shared/ledger';
import { formatBytes, formatDuration, renderReport } from '../../shared/report';
import type { RunReport } from '../../shared/report';

const health = IndexHealthSchema.parse(JSON.parse(readFileSync(new URL('../fixtures/report/index-health.json', import.meta.url), 'utf8')));

const report: RunReport = {
  runId: '3f1c2b9e-8d7a-4c6b-9e5f-1a2b3c4d5e6f',
  op: 'sync',
  trigger: 'changes',
  indexName: 'documents',
  outcome: 'completed',
  startedAt: '2026-11-23T02:00:00Z',
  finishedAt: '2026-11-23T02:00:09Z',
  counts: { received: 130, upserted: 120, deleted: 3, unchanged: 5, rejected: 2, failed: 0 },
  rejections: [{ reason: 'DimensionMismatch', count: 2, examples: ['<script>alert(1)</script>', 'doc-2'] }],
  stages: [
    { stage: 'validate', ms: 40 },
    { stage: 'worker', ms: 8000 },
    { stage: 'collect', ms: 2000 },
  ],
  chunks: [{ chunkNo: 0, state: 'succeeded', attempts: 1, instanceId: 'i-local0001', upserted: 120, deleted: 3, rejected: 2, durationMs: 8000 }],
  index: { totalVectors: 10_120, estimatedBytes: 16_900_000, dimension: 384, metric: 'cosine' },
  validation: { sampled: 8, matched: 8 },
  archiveUrl: 'https://b.oss-cn-hangzhou.aliyuncs.com/reports/r.html?sig="x"&a=1',
};

describe('renderReport', () => {
  it('states success and the counts in the subject', () => {
    // Act
    const { subject } = renderReport(report);
    // Assert
    expect(subject).toBe('[vector-sync] ✓ sync documents: 120 upserted, 3 deleted, 2 rejected');
  });

  it('states failure in the subject and the banner', () => {
    // Act
    const { subject, html, text } = renderReport({ ...report, outcome: 'failed', error: 'chunk 0 timed out', counts: { ...report.counts, failed: 7 } });
    // Assert
    expect(subject).toContain('✗ FAILED');
    expect(subject).toContain('7 failed');
    expect(html).toContain('Run failed: chunk 0 timed out');
    expect(text).toContain('Outcome    failed (chunk 0 timed out)');
  });

  it('lists the events parked for the run, escaped, in both parts, and leaves the section out when there are none', () => {
    // Prepare
    const parked = { ...report, parked: [{ functionName: 'notify', code: 'ResendValidationError', reason: 'sender <x> is not verified', eventId: 'e-1' }] };
    // Act
    const withParked = renderReport(parked);
    const without = renderReport(report);
    // Assert
    expect(withParked.html).toContain('Parked events');
    expect(withParked.html).toContain('sender &#60;x&#62; is not verified');
    expect(withParked.text).toContain('notify ResendValidationError: sender <x> is not verified (event e-1)');
    expect(without.html).not.toContain('Parked events');
  });

  it('escapes every value that comes from data', () => {
    // Act
    const { html } = renderReport(report);
    // Assert
    expect(html).not.toContain('<script>');
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('href="https://b.oss-cn-hangzhou.aliyuncs.com/reports/r.html?sig=&#34;x&#34;&#38;a=1"');
  });

  it('draws time per stage as table-cell bars scaled to the longest stage, without images', () => {
    // Act
    const { html } = renderReport(report);
    // Assert
    expect(html).not.toMatch(/<img|<svg|background-image/u);
    expect(html).toContain('width:100%;background:#4f46e5');
    expect(html).toContain('width:25%;background:#4f46e5');
    expect(html).toContain('width:1%;background:#4f46e5');
  });

  it('shows the index health in both parts when the report carries it, and leaves it out otherwise', () => {
    // Act
    const withHealth = renderReport({ ...report, health });
    const without = renderReport(report);
    // Assert
    expect(withHealth.html).toContain('Index health');
    expect(withHealth.html).toMatch(/p95 change to indexed<\/td><td[^>]*>31\.5 s</u);
    expect(withHealth.html.indexOf('Index health')).toBeLessThan(withHealth.html.indexOf('Archived copy of this report'));
    expect(withHealth.text).toContain('Index health: documents (documentsg1)');
    expect(without.html).not.toContain('Index health');
    expect(without.text).not.toContain('Index health');
  });

  it('writes a plain-text alternative with rejections, chunks, index statistics and the archive link', () => {
    // Act
    const { text } = renderReport(report);
    // Assert
    expect(text).toContain('DimensionMismatch: 2 (e.g. <script>alert(1)</script>, doc-2)');
    expect(text).toContain('#0 succeeded, 1 attempt(s) on i-local0001: 120 upserted, 3 deleted, 2 rejected');
    expect(text).toContain('Index: 10,120 vectors, about 16.1 MB, dimension 384, cosine');
    expect(text).toContain('Validation query: 8 of 8 sampled vectors found themselves first.');
    expect(text).toContain('Archived copy: https://');
  });
});

describe('report formats', () => {
  it.each([
    [850, '850 ms'],
    [12_400, '12.4 s'],
    [185_000, '3 min 05 s'],
    [7_500_000, '2 h 05 min'],
  ])('formats %d ms as %s', (ms, expected) => {
    expect(formatDuration(ms)).toBe(expected);
  });

  it.each([
    [512, '512 B'],
    [3_300, '3.2 KB'],
    [1_572_864, '1.5 MB'],
  ])('formats %d bytes as %s', (bytes, expected) => {
    expect(formatBytes(bytes)).toBe(expected);
  });
});

describe('renderReport with hostile values', () => {
  const payloads = ['<img src=x onerror=alert(1)>', '"><script>alert(2)</script>', "' onmouseover='alert(3)"];

  /** The report with every string replaced by `payload` (numbers and the outcome stay valid). */
  function hostile(value: unknown, payload: string): unknown {
    if (typeof value === 'string') return payload;
    if (Array.isArray(value)) return value.map((item) => hostile(item, payload));
    if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, key === 'outcome' || key === 'trigger' ? item : hostile(item, payload)]));
    return value;
  }

  it.each(payloads)('escapes %s in every field that reaches the HTML', (payload) => {
    // Prepare: a manual run requested by the attacker, with a parked event, an error quoting it and
    // the index's health (its names, reasons and times) in the attacker's hands too.
    const base: RunReport = {
      ...report,
      trigger: 'manual',
      requestedBy: 'x',
      error: 'x',
      parked: [{ functionName: 'validate', code: 'EventInvalid', reason: 'x', eventId: 'x' }],
      health,
    };
    const attacked = hostile(base, payload) as RunReport;
    // Act
    const { html } = renderReport(attacked);
    // Assert: the payload shows only escaped (its quotes and angle brackets as entities): no tag of it survives.
    expect(html).not.toContain(payload);
    expect(html).not.toMatch(/<img|<script/iu);
    expect(html).toContain(payload.replace(/[&<>"']/gu, (char) => `&#${char.charCodeAt(0)};`));
  });
});
