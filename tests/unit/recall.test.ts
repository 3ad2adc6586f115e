import { describe, expect, it } from 'vitest';
import { compareTopK, samplePoints, summariseRecall } from '../../ecs/jobs/recall';
import { verificationOf, renderVerificationHtml, renderVerificationText } from '../../shared/report/quality';
import type { ChunkResult } from '../../shared/contracts';

const n = (documentId: string, distance: number) => ({ documentId, distance });

describe('compareTopK', () => {
  it('is 1 when the approximate top k is the exact one, whatever the order', () => {
    expect(compareTopK([n('b', 0.2), n('a', 0.1)], [n('a', 0.1), n('b', 0.2)], 2)).toEqual({ recall: 1, missed: [], extra: [] });
  });

  it('counts the exact neighbours the approximate answer missed', () => {
    const exact = [n('a', 0.1), n('b', 0.2), n('c', 0.3), n('d', 0.4)];
    expect(compareTopK([n('a', 0.1), n('x', 0.35), n('c', 0.3), n('y', 0.5)], exact, 4)).toEqual({ recall: 0.5, missed: ['b', 'd'], extra: ['x', 'y'] });
  });

  it('does not count a tie at the k-th distance as a miss', () => {
    const exact = [n('a', 0.1), n('b', 0.3), n('c', 0.3)];
    expect(compareTopK([n('a', 0.1), n('b', 0.3)], exact, 2)).toEqual({ recall: 1, missed: [], extra: [] });
    expect(compareTopK([n('a', 0.1), n('c', 0.3)], exact.slice(0, 2), 2)).toEqual({ recall: 1, missed: [], extra: [] });
    // A hit farther than the k-th is no tie.
    expect(compareTopK([n('a', 0.1), n('z', 0.31)], exact.slice(0, 2), 2).recall).toBe(0.5);
  });

  it('measures against what exists when the table holds fewer than k rows', () => {
    expect(compareTopK([n('a', 0.1), n('b', 0.2)], [n('a', 0.1), n('b', 0.2)], 10).recall).toBe(1);
    expect(compareTopK([n('a', 0.1)], [n('a', 0.1), n('b', 0.2)], 10)).toEqual({ recall: 0.5, missed: ['b'], extra: [] });
    expect(compareTopK([], [], 10)).toEqual({ recall: 1, missed: [], extra: [] });
  });
});

describe('summariseRecall', () => {
  it('averages, rounds to 4 places and keeps at most 10 differing queries', () => {
    const perfect = { recall: 1, missed: [], extra: [], label: 'p' };
    const half = { recall: 0.5, missed: ['b'], extra: ['x'], label: 'h' };
    const result = summariseRecall(10, [perfect, half, half]);
    expect(result).toMatchObject({ k: 10, sampled: 3, recall: 0.6667 });
    expect(result.differing.map((q) => q.label)).toEqual(['h', 'h']);
    expect(summariseRecall(10, Array.from({ length: 15 }, () => half)).differing).toHaveLength(10);
  });
});

describe('samplePoints', () => {
  const bounds = { first: '00000000-0000-4000-8000-000000000000', last: '00000000-0000-4000-8000-00000000ffff' };

  it('spreads points between the first and last id, the same for the same run and others for another', () => {
    const points = samplePoints('run-1', 50, bounds);
    expect(points).toHaveLength(50);
    for (const point of points) {
      expect(point).toMatch(/^00000000-0000-4000-8000-0000000[0-9a-f]{5}$/u);
      expect(point >= bounds.first && point <= bounds.last).toBe(true);
    }
    // Clustered ids (here 65,536 apart at most) still get points across their whole range.
    expect(new Set(points.map((p) => p.slice(-4, -3))).size).toBeGreaterThan(8);
    expect(samplePoints('run-1', 50, bounds)).toEqual(points);
    expect(samplePoints('run-2', 50, bounds)).not.toEqual(points);
  });
});

describe('the verify section of a report', () => {
  const drift = (missing: number, examples: string[]): ChunkResult => ({ upserted: 0, deleted: 0, skipped: 10, rejected: 0, failed: 0, drift: { rejected: 1, missing, stale: 1, orphaned: 0, examples }, healed: 0 });

  it('says drift was left in place when the run did not heal', () => {
    const result = { ...drift(2, ['<doc-1>']), healSkipped: true, recall: { k: 10, sampled: 20, recall: 0.9, differing: [{ label: 'document <b>x</b>', recall: 0.5, missed: ['m1'], extra: ['e1'] }] } };
    const verification = verificationOf({ op: 'verify', params: { heal: false } }, [{ result }, { result: drift(1, []) }]);
    expect(verification).toMatchObject({ missing: 3, stale: 2, orphaned: 0, rejected: 2, heal: false, healed: 0 });
    const text = renderVerificationText(verification!).join('\n');
    expect(text).toContain('5 drifted vector(s) found and left in place: this run was asked not to heal (heal: false).');
    expect(text).toContain('recall@10 over 20 sampled documents: 0.90');
    const html = renderVerificationHtml(verification!);
    expect(html).toContain('&#60;doc-1&#62;');
    expect(html).toContain('document &#60;b&#62;x&#60;/b&#62;');
    expect(html).not.toContain('<b>x</b>');
  });

  it('counts what was queued to heal, and is absent for other ops', () => {
    const verification = verificationOf({ op: 'verify', params: {} }, [{ result: { ...drift(2, []), healed: 3 } }]);
    expect(renderVerificationText(verification!).join('\n')).toContain('3 drifted vector(s) found; 3 document(s) queued again for a sync to heal them.');
    expect(verificationOf({ op: 'sync', params: {} }, [])).toBeUndefined();
  });
});
