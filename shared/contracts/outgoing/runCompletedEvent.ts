import { EventSource, EventType } from '../constants';
import type { RunCompletedData } from '../run-events';
import type { OutgoingEvent } from './types';

/** `vectorsync.run.completed` for a final run, id `<runId>-completed`. */
export function runCompletedEvent(runId: string, outcome: RunCompletedData['outcome']): OutgoingEvent<typeof EventType.RunCompleted, RunCompletedData> {
  return { id: `${runId}-completed`, type: EventType.RunCompleted, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId, outcome } };
}
