// When the local stack counts the pipeline as drained (npm start then runs its final verify).
import { describe, expect, it } from 'vitest';
import { isQuiet } from '../../local/stack';
import type { PipelineSnapshot } from '../../local/stack';

const drained: PipelineSnapshot = {
  documents: 3000,
  embedded: 3000,
  embeddingQueue: 0,
  syncQueue: 0,
  claimedBatches: 0,
  deadLetters: 0,
  runs: { open: 0, completed: 6, failed: 0, reportsPending: 0 },
  chunks: { open: 0, succeeded: 6, failed: 0 },
  vectors: 3000,
  parkedEvents: 0,
};

describe('isQuiet', () => {
  it('is quiet when every queue is empty, every run final and no event is on the bus', () => {
    expect(isQuiet(drained, 0)).toBe(true);
  });

  it('is not quiet while an event is on its way (publish-changes has deleted its messages, validate has not opened the run)', () => {
    // Prepare: the rows look drained, but six changes.published events are still being delivered.
    // Act / Assert
    expect(isQuiet(drained, 6)).toBe(false);
  });

  it('is not quiet while a claimed change batch waits for its publish (its messages are gone already)', () => {
    expect(isQuiet({ ...drained, claimedBatches: 1 }, 0)).toBe(false);
  });

  it('is not quiet with an open run or a pending report', () => {
    expect(isQuiet({ ...drained, runs: { ...drained.runs, open: 1 } }, 0)).toBe(false);
    expect(isQuiet({ ...drained, runs: { ...drained.runs, reportsPending: 1 } }, 0)).toBe(false);
  });
});
