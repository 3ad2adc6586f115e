import { describe, expect, it } from 'vitest';
import { updateResultsFile } from '../../bench/support/resultsFile';
import type { BenchOutcome } from '../../bench/support/resultsFile';
import { renderResult } from '../../bench/support/resultsMarkdown';

const machine = { cpus: 2, cpuModel: 'Test CPU', node: 'v20.0.0', memoryGB: 8, loadAverage: [0.5, 0.4, 0.3] };

function outcome(name: string, result: BenchOutcome['results'][number], exitCode = 0): BenchOutcome {
  return { name, file: `bench/${name}.bench.ts`, exitCode, seconds: 12, finishedAt: '2026-12-04T00:00:00Z', overrides: {}, machine, results: [result] };
}

const HAND_WRITTEN = 'The 100,000 run missed its goal because publish-changes waits for its 10 s tick.';

describe('updateResultsFile', () => {
  it('writes a skeleton with the generated block and a hand-written section when there is no file', () => {
    // Prepare
    const fresh = [outcome('end-to-end', { bench: 'end-to-end', pass: true, goals: [{ goal: 'e2e / worker', target: '>= 70 %', actual: 64.2, unit: '%', met: false, by: '-5.8 points' }], seconds: 81.5 })];

    // Act
    const text = updateResultsFile(undefined, fresh, ['end-to-end']);

    // Assess
    expect(text).toContain('# Benchmark results');
    expect(text).toContain('| end-to-end | e2e / worker | >= 70 % | 64.2 % | **missed** (-5.8 points) |');
    expect(text).toContain('one run on a noisy machine');
    expect(text).toContain('2 × Test CPU');
    expect(text.indexOf('<!-- bench:generated:end -->')).toBeLessThan(text.indexOf('## Goals missed and why'));
  });

  it('keeps the hand-written text around the block and replaces only the benchmarks that ran', () => {
    // Prepare
    const first = updateResultsFile(undefined, [outcome('alpha', { bench: 'alpha', pass: true, seconds: 1.5 }), outcome('beta', { bench: 'beta', pass: true, seconds: 7.25 })], ['alpha', 'beta']);
    const edited = first.replace(/_To be written after a full run[^_]*_/u, HAND_WRITTEN);

    // Act
    const text = updateResultsFile(edited, [outcome('alpha', { bench: 'alpha', pass: true, seconds: 2.75 })], ['alpha', 'beta']);

    // Assess
    expect(text).toContain(HAND_WRITTEN);
    expect(text).toContain('| seconds | 2.75 |');
    expect(text).not.toContain('| seconds | 1.5 |');
    expect(text).toContain('| seconds | 7.25 |');
    expect(text.match(/<!-- bench:generated:start -->/gu)).toHaveLength(1);
  });

  it('drops a benchmark whose file is gone', () => {
    // Prepare
    const first = updateResultsFile(undefined, [outcome('alpha', { bench: 'alpha', pass: true }), outcome('gone', { bench: 'gone', pass: true })], ['alpha', 'gone']);

    // Act
    const text = updateResultsFile(first, [], ['alpha']);

    // Assess
    expect(text).toContain('### alpha');
    expect(text).not.toContain('### gone');
  });

  it('reads back a stored outcome whose text holds "--" and "-->"', () => {
    // Prepare
    const first = updateResultsFile(undefined, [outcome('alpha', { bench: 'alpha', pass: false, error: 'refused -- see the log --> here' }, 1)], ['alpha']);

    // Act
    const text = updateResultsFile(first, [], ['alpha']);

    // Assess
    expect(text).toContain('Error: refused -- see the log --> here');
  });

  it('names a benchmark that exited non-zero as failed, in the goal table and its section', () => {
    // Prepare
    const fresh = [outcome('end-to-end', { bench: 'end-to-end', pass: false, error: 'index differs' }, 1)];

    // Act
    const text = updateResultsFile(undefined, fresh, ['end-to-end']);

    // Assess
    expect(text).toContain('| end-to-end | - | - | - | **benchmark failed** (exit 1) |');
    expect(text).toContain('Result: **FAILED** (exit 1)');
  });
});

describe('renderResult', () => {
  it('shows per-size figures as one column per size when sizes are fewer than figures', () => {
    // Prepare
    const result = { bench: 'end-to-end', pass: true, runs: { '20000 docs': { seconds: 12.5, docsPerSecond: 1600, timeline: { verified: 12.5 } }, '100000 docs': { seconds: 50, docsPerSecond: 2000, timeline: { verified: 50 } } } };

    // Act
    const text = renderResult(result);

    // Assess
    expect(text).toContain('| runs | 20000 docs | 100000 docs |');
    expect(text).toContain('| timeline.verified | 12.5 | 50 |');
  });

  it('shows stages as rows when they outnumber their figures', () => {
    // Prepare
    const result = { bench: 'latency', pass: true, stages: { a: { p50: 1, p95: 2 }, b: { p50: 3, p95: 4 }, c: { p50: 5, p95: 6 } } };

    // Act
    const text = renderResult(result);

    // Assess
    expect(text).toContain('| stages | p50 | p95 |');
    expect(text).toContain('| b | 3 | 4 |');
  });

  it('judges thresholds without per-goal verdicts by the benchmark\'s own pass', () => {
    // Prepare
    const result = { bench: 'bundles', pass: false, goals: { maxBytes: 1_000_000 }, largestBytes: 1_200_000 };

    // Act
    const text = renderResult(result);

    // Assess
    expect(text).toContain('| goals.maxBytes | 1000000 |');
    expect(text).toContain('| all met | **no** |');
    expect(text).toContain('| largestBytes | 1200000 |');
  });
});
