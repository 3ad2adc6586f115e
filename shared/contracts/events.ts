import type * as z from 'zod';
import { ChangesPublishedEventSchema } from './change-events';
import { EventType } from './constants';
import { TaskCompletedEventSchema } from './ecs-events';
import { eventUnion } from './envelopes';
import { DigestRequestedEventSchema, RunRequestedEventSchema } from './manual-events';
import { ChunkReadyEventSchema, RunAcceptedEventSchema, RunCompletedEventSchema, StatsRequestedEventSchema } from './pipeline-events';

/** The delivered-envelope schema of every event type, by type. */
export const EventSchemas = {
  [EventType.ChangesPublished]: ChangesPublishedEventSchema,
  [EventType.RunRequested]: RunRequestedEventSchema,
  [EventType.RunAccepted]: RunAcceptedEventSchema,
  [EventType.ChunkReady]: ChunkReadyEventSchema,
  [EventType.TaskCompleted]: TaskCompletedEventSchema,
  [EventType.RunCompleted]: RunCompletedEventSchema,
  [EventType.StatsRequested]: StatsRequestedEventSchema,
  [EventType.DigestRequested]: DigestRequestedEventSchema,
} as const;

/** Any event of the house plan, told apart by `type`. */
export const VectorSyncEventSchema = eventUnion(
  ChangesPublishedEventSchema,
  RunRequestedEventSchema,
  RunAcceptedEventSchema,
  ChunkReadyEventSchema,
  TaskCompletedEventSchema,
  RunCompletedEventSchema,
  StatsRequestedEventSchema,
  DigestRequestedEventSchema,
);
export type VectorSyncEvent = z.infer<typeof VectorSyncEventSchema>;
