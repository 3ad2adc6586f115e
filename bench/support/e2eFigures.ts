// The arithmetic of the end-to-end benchmarks: percentiles, the wall time a set of overlapping
// intervals covers, rounding, and the goal entries every benchmark prints in `goals`.

/** One goal as a benchmark prints it in `goals`; bench/run.ts renders these as the goal table. */
export interface GoalResult {
  /** What is measured, e.g. "end to end / worker alone, 20,000 documents". */
  readonly goal: string;
  /** The goal as text, e.g. ">= 70 %". */
  readonly target: string;
  readonly actual: number;
  readonly unit: string;
  readonly met: boolean;
  /** How far from the target, signed in the good direction: "+13.2 points" beats it, "-5.8 points" misses it. */
  readonly by: string;
}

/** Rounds to `digits` decimals (one by default). */
export function round(value: number, digits = 1): number {
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

/** A goal of the form "actual >= target" (or "<=" with `atMost`), with its verdict and margin. */
export function goalResult(input: { goal: string; target: number; actual: number; unit: string; atMost?: boolean }): GoalResult {
  const margin = input.atMost === true ? input.target - input.actual : input.actual - input.target;
  const sign = margin >= 0 ? '+' : '-';
  // A margin between two percentages is in percentage points, not a percent of the target.
  const marginUnit = input.unit === '%' ? 'points' : input.unit;
  return {
    goal: input.goal,
    target: `${input.atMost === true ? '<=' : '>='} ${input.target} ${input.unit}`,
    actual: round(input.actual),
    unit: input.unit,
    met: margin >= 0,
    by: `${sign}${round(Math.abs(margin))} ${marginUnit}`,
  };
}

/** The nearest-rank percentile (0 < p <= 1) of a list of numbers; NaN for an empty list. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))] ?? Number.NaN;
}

/** p50, p95 and max of durations in seconds, rounded to 0.1 s; `n` says how many there were. */
export function spread(seconds: readonly number[]): { p50: number; p95: number; max: number; n: number } {
  return { p50: round(percentile(seconds, 0.5)), p95: round(percentile(seconds, 0.95)), max: round(Math.max(...seconds)), n: seconds.length };
}

/** A span of time in epoch milliseconds. */
export interface Interval {
  readonly from: number;
  readonly to: number;
}

/**
 * Seconds covered by at least one of the intervals. Chunks of one index run side by side and share
 * its write quota, so the worker's wall time for their vectors is the union of their runs: the sum
 * would count parallel time twice, the longest chunk would leave the others out.
 */
export function coveredSeconds(intervals: readonly Interval[]): number {
  const sorted = [...intervals].filter((span) => span.to > span.from).sort((a, b) => a.from - b.from);
  let covered = 0;
  let start = Number.NEGATIVE_INFINITY;
  let end = Number.NEGATIVE_INFINITY;
  for (const span of sorted) {
    if (span.from > end) {
      if (end > start) covered += end - start;
      start = span.from;
      end = span.to;
    } else end = Math.max(end, span.to);
  }
  if (end > start) covered += end - start;
  return covered / 1000;
}
