import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { IndexHealthSchema } from '../../shared/ledger';
import type { IndexHealth } from '../../shared/ledger';
import { renderHealthHtml, renderHealthText } from '../../shared/report';

/** The health of an index as `vector_sync.index_health` answers it (jsonb times with offsets), parsed. */
function health(): IndexHealth {
  return IndexHealthSchema.parse(JSON.parse(readFileSync(new URL('../fixtures/report/index-health.json', import.meta.url), 'utf8')));
}

/** The same index with nothing in the window. */
function quietHealth(): IndexHealth {
  const base = health();
  return {
    ...base,
    lag: { ...base.lag, p50Seconds: null, p95Seconds: null, count: 0 },
    drift: { verifyRuns: 0, missing: 0, stale: 0, orphaned: 0, healed: 0 },
    rejections: [],
    series: base.series.map((bucket) => ({ ...bucket, indexed: 0, p95LagSeconds: null })),
  };
}

/** The heights of the chart's bars, in order (the outer cells are CHART_HEIGHT tall, the bars inside). */
function barHeights(html: string): number[] {
  return [...html.matchAll(/<td height="(\d+)" bgcolor="(#[0-9a-f]{6})"/gu)].map((match) => Number(match[1]));
}

describe('IndexHealthSchema', () => {
  it('reads the times of index_health as ISO strings in UTC', () => {
    // Act
    const parsed = health();
    // Assert
    expect(parsed.since).toBe('2026-11-23T01:00:00.123Z');
    expect(parsed.lag.oldestChangeAt).toBe('2026-11-23T01:59:21.500Z');
    expect(parsed.series).toHaveLength(12);
  });

  it('refuses a value that is not a time', () => {
    const bad = { ...JSON.parse(readFileSync(new URL('../fixtures/report/index-health.json', import.meta.url), 'utf8')), asOf: 'yesterday' };
    expect(IndexHealthSchema.safeParse(bad).success).toBe(false);
  });
});

describe('renderHealthHtml', () => {
  it('shows coverage, backlog, lag, drift and rejections by reason', () => {
    // Act
    const html = renderHealthHtml(health());
    // Assert
    expect(html).toContain('Index health: documents (documentsg1)');
    expect(html).toMatch(/Vectors in the index<\/td><td[^>]*>10,120</u);
    expect(html).toMatch(/Coverage \(vectors \/ embeddings\)<\/td><td[^>]*>99\.0 %</u);
    expect(html).toMatch(/Without an embedding<\/td><td[^>]*>11</u);
    expect(html).toMatch(/Batches claimed \(ids\)<\/td><td[^>]*>1 \(20\)</u);
    expect(html).toMatch(/Chunks ready \/ in flight<\/td><td[^>]*>3 \/ 1</u);
    expect(html).toMatch(/Oldest change not yet indexed<\/td><td[^>]*>48\.0 s</u);
    expect(html).toMatch(/p95 change to indexed<\/td><td[^>]*>31\.5 s</u);
    expect(html).toMatch(/Missing \/ stale \/ orphaned<\/td><td[^>]*>3 \/ 1 \/ 2</u);
    expect(html).toMatch(/DimensionMismatch<\/td><td[^>]*>2</u);
  });

  it('draws the chart as table cells with bgcolor and height: no script, SVG, image or style sheet', () => {
    // Act
    const html = renderHealthHtml(health());
    // Assert
    expect(html).not.toMatch(/<script|<svg|<img|<style|<link|background-image|javascript:|url\(/iu);
    const heights = barHeights(html);
    // Two charts of 12 bars: vectors indexed (largest bucket 480) and p95 lag (largest 48 s).
    expect(heights).toHaveLength(24);
    expect(heights.slice(0, 12)).toEqual([1, 12, 48, 1, 1, 6, 1, 1, 1, 1, 1, 24]);
    expect(heights.slice(12)).toEqual([1, 3, 13, 1, 1, 48, 1, 1, 1, 1, 1, 6]);
    expect(html).toContain('title="01:10–01:15: 480"');
    expect(html).toContain('max 480');
  });

  it('escapes every value that comes from data', () => {
    // Prepare
    const hostile: IndexHealth = {
      ...health(),
      logicalName: '<script>alert(1)</script>',
      indexName: '"><svg onload=alert(2)>',
      rejections: [{ reason: "<img src=x onerror=alert(3)>' x='", count: 1 }],
    };
    // Act
    const html = renderHealthHtml(hostile);
    // Assert
    expect(html).not.toMatch(/<script|<svg|<img/iu);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#34;&#62;&#60;svg onload=alert(2)&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(3)&#62;&#39; x=&#39;');
  });

  it('says that nothing happened when the window is empty, and draws no chart', () => {
    // Act
    const html = renderHealthHtml(quietHealth());
    // Assert
    expect(html).toContain('Nothing happened in this window');
    expect(barHeights(html)).toEqual([]);
    // What holds now is still shown.
    expect(html).toMatch(/Vectors in the index<\/td><td[^>]*>10,120</u);
  });

  it('names a logical index without an active generation', () => {
    expect(renderHealthHtml({ ...health(), indexName: null })).toContain('documents (no active generation)');
  });
});

describe('renderHealthText', () => {
  it('writes the same figures and a text chart of the buckets', () => {
    // Act
    const text = renderHealthText(health());
    // Assert
    expect(text).toContain('Index health: documents (documentsg1), as of 2026-11-23T02:00:09.500Z');
    expect(text).toMatch(/Coverage \(vectors \/ embeddings\) +99\.0 %/u);
    expect(text).toMatch(/Oldest change not yet indexed +48\.0 s/u);
    expect(text).toContain(`  01:10 ${'#'.repeat(20)}       480  p95 12.5 s`);
    expect(text).toContain(`  01:15 ${' '.repeat(20)}         0  p95 —`);
    expect(text).toContain('  DimensionMismatch: 2');
  });

  it('says that nothing happened when the window is empty', () => {
    // Act
    const text = renderHealthText(quietHealth());
    // Assert
    expect(text).toContain('Nothing happened in this window (2026-11-23T01:00:00.123Z to 2026-11-23T02:00:00.123Z).');
    expect(text).not.toContain('p95 —');
  });
});
