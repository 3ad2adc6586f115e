import { describe, expect, it } from 'vitest';
import { coveredSeconds, goalResult, percentile } from '../../bench/support/e2eFigures';

describe('coveredSeconds', () => {
  it.each([
    { case: 'disjoint spans add up', spans: [[0, 1000], [2000, 2500]], seconds: 1.5 },
    { case: 'overlapping spans count once', spans: [[0, 2000], [1000, 3000]], seconds: 3 },
    { case: 'a span inside another adds nothing', spans: [[0, 4000], [1000, 2000]], seconds: 4 },
    { case: 'unsorted spans are sorted first', spans: [[5000, 6000], [0, 1000], [500, 1500]], seconds: 2.5 },
    { case: 'empty and inverted spans count nothing', spans: [[1000, 1000], [3000, 2000]], seconds: 0 },
  ])('$case', ({ spans, seconds }) => {
    // Prepare
    const intervals = spans.map(([from = 0, to = 0]) => ({ from, to }));

    // Act
    const covered = coveredSeconds(intervals);

    // Assess
    expect(covered).toBeCloseTo(seconds, 6);
  });
});

describe('percentile', () => {
  it('takes the nearest rank', () => {
    // Prepare
    const values = [10, 1, 9, 2, 8, 3, 7, 4, 6, 5];

    // Act
    const figures = [percentile(values, 0.5), percentile(values, 0.95), percentile(values, 1)];

    // Assess
    expect(figures).toEqual([5, 10, 10]);
  });
});

describe('goalResult', () => {
  it('says by how much an at-least goal is missed', () => {
    // Act
    const goal = goalResult({ goal: 'e2e / worker', target: 70, actual: 64.24, unit: '%' });

    // Assess
    expect(goal).toEqual({ goal: 'e2e / worker', target: '>= 70 %', actual: 64.2, unit: '%', met: false, by: '-5.8 points' });
  });

  it('counts an at-most goal as met below its target', () => {
    // Act
    const goal = goalResult({ goal: 'RSS', target: 200, actual: 150, unit: 'MB', atMost: true });

    // Assess
    expect(goal).toMatchObject({ target: '<= 200 MB', met: true, by: '+50 MB' });
  });
});
