import type * as z from 'zod';
import { EventShapeError, EventValidationError, formatIssues } from '../contracts';
import type { CloudEventMeta } from '../contracts';
import { bindLogFields } from './state';
import type { PipelineMiddleware, PipelineRequest } from './types';

type EnvelopeOutput = CloudEventMeta & { data: unknown };

export interface ParseEventOptions<TSchema extends z.ZodType<EnvelopeOutput>> {
  /** The envelope schema (one event type, or a union made with `eventUnion`). */
  readonly schema: TSchema;
  /** `single` (event-driven, the default) or `batch` (event-streaming: a JSON array). */
  readonly mode?: 'single' | 'batch';
}

/** One record of a batch: the parsed envelope attributes and data. */
export interface BatchRecord<TData> {
  readonly meta: CloudEventMeta;
  readonly data: TData;
}

/** A record of a batch that failed to parse; the rest of the batch goes on. */
export interface RejectedRecord {
  readonly index: number;
  readonly eventId?: string;
  readonly error: EventValidationError;
}

/** What a batch-mode handler receives. */
export interface ParsedBatch<TData> {
  readonly records: BatchRecord<TData>[];
  readonly rejected: RejectedRecord[];
}

function split(envelope: EnvelopeOutput): BatchRecord<unknown> {
  const { data, ...meta } = envelope;
  return { meta, data };
}

function idOf(value: unknown): string | undefined {
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : undefined;
  return typeof id === 'string' ? id : undefined;
}

function runIdOf(data: unknown): string | undefined {
  const runId = typeof data === 'object' && data !== null ? (data as { runId?: unknown }).runId : undefined;
  return typeof runId === 'string' ? runId : undefined;
}

/**
 * Parses the decoded event with an envelope schema and hands on only `data`; the envelope
 * attributes go to `context.cloudEvent`. A failure is a permanent EventValidationError naming
 * each bad field. In batch mode each record is parsed on its own and bad ones are set aside.
 */
export function parseEvent<TSchema extends z.ZodType<EnvelopeOutput>>(options: ParseEventOptions<TSchema>): PipelineMiddleware {
  const mode = options.mode ?? 'single';

  function parseOne(value: unknown, prefix: string): BatchRecord<unknown> {
    const result = options.schema.safeParse(value);
    if (result.success) return split(result.data);
    const problems = formatIssues(result.error, value).map((line) => `${prefix}${line}`);
    throw new EventValidationError(problems, { cause: result.error });
  }

  function parseSingle(request: PipelineRequest): void {
    const { event } = request;
    if (Array.isArray(event)) {
      throw new EventShapeError(
        `expected one CloudEvent object but got a JSON array of ${event.length} event(s), the event-streaming batch shape`,
      );
    }
    if (event === null || typeof event !== 'object') {
      throw new EventShapeError(`expected one CloudEvent object but got ${event === null ? 'null' : typeof event}`);
    }
    const record = parseOne(event, '');
    request.context.cloudEvent = record.meta;
    request.event = record.data;
    bindLogFields(request, { eventId: record.meta.id, eventType: record.meta.type, runId: runIdOf(record.data) });
  }

  function parseBatch(request: PipelineRequest): void {
    const { event } = request;
    if (!Array.isArray(event)) {
      throw new EventShapeError(
        `expected a JSON array of CloudEvents (event-streaming batch) but got ${event === null ? 'null' : typeof event === 'object' ? 'a single object' : typeof event}`,
      );
    }
    if (event.length === 0) throw new EventShapeError('the event batch is empty');
    const batch: ParsedBatch<unknown> = { records: [], rejected: [] };
    event.forEach((item, index) => {
      try {
        batch.records.push(parseOne(item, `[${index}].`));
      } catch (error) {
        if (!(error instanceof EventValidationError)) throw error;
        const eventId = idOf(item);
        batch.rejected.push(eventId === undefined ? { index, error } : { index, eventId, error });
      }
    });
    request.event = batch;
    bindLogFields(request, { batchSize: event.length, rejected: batch.rejected.length });
  }

  return { before: mode === 'single' ? parseSingle : parseBatch };
}
