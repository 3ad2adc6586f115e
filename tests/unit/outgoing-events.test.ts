import { describe, expect, it } from 'vitest';
import { EventIdSchema, EventSchemas, chunkReadyEvent, runAcceptedEvent, runCompletedEvent, statsRequestedEvent } from '../../shared/contracts';
import { fixture } from '../helpers/fixtures';

const runId = '2d7c9e4a-6b1f-4c3d-9a8e-0f1b2c3d4e5f';

describe('outgoing pipeline events', () => {
  it.each([
    ['run.accepted', runAcceptedEvent(runId), `${runId}-accepted`],
    ['chunk.ready after two attempts', chunkReadyEvent(runId, 7, 2), `${runId}-7-3`],
    ['run.completed', runCompletedEvent(runId, 'failed'), `${runId}-completed`],
    ['stats.requested for a timer tick', statsRequestedEvent(runId, '2026-11-22T10:20:00Z'), `${runId}-stats-2026-11-22T102000Z`],
  ])('gives %s a deterministic id EventBridge accepts', (_label, event, id) => {
    // Assess
    expect(event.id).toBe(id);
    expect(EventIdSchema.safeParse(event.id).success).toBe(true);
    expect(event.source).toBe('vectorsync.pipeline');
    expect(event.subject).toMatch(new RegExp(`^runs/${runId}`, 'u'));
  });

  it.each([runAcceptedEvent(runId), chunkReadyEvent(runId, 0, 0), runCompletedEvent(runId, 'completed'), statsRequestedEvent(runId, 'chunked')])(
    'builds $type that parses as delivered with the schema of its type',
    (event) => {
      // Prepare
      const delivered = { ...fixture('run-accepted.json'), ...event };
      // Act
      const parsed = EventSchemas[event.type].safeParse(delivered);
      // Assess
      expect(parsed.success).toBe(true);
    },
  );

  it('falls back to a fixed tag when the nudge has no usable character', () => {
    expect(statsRequestedEvent(runId, '::').id).toBe(`${runId}-stats-nudge`);
  });
});
