import { EventSource, EventType } from '../constants';
import type { StatsRequestedData } from '../stats-events';
import type { OutgoingEvent } from './types';

/**
 * `vectorsync.stats.requested` (a nudge for collect-stats), id `<runId>-stats-<nudge>`. `nudge`
 * names the occasion (a time bucket such as the timer's trigger time, or `chunked`); characters
 * EventBridge refuses in an id are dropped and it is cut to 64 characters.
 */
export function statsRequestedEvent(runId: string, nudge: string): OutgoingEvent<typeof EventType.StatsRequested, StatsRequestedData> {
  const tag = nudge.replace(/[^A-Za-z0-9-]/gu, '').slice(0, 64) || 'nudge';
  return { id: `${runId}-stats-${tag}`, type: EventType.StatsRequested, source: EventSource.Pipeline, subject: `runs/${runId}`, data: { runId } };
}
