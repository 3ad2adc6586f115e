import { EventSource, EventType } from '../constants';
import type { RunAcceptedData } from '../run-events';
import type { OutgoingEvent } from './types';

/** `vectorsync.run.accepted` for a run, id `<runId>-accepted`. */
export function runAcceptedEvent(runId: string): OutgoingEvent<typeof EventType.RunAccepted, RunAcceptedData> {
  return { id: `${runId}-accepted`, type: EventType.RunAccepted, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId } };
}
