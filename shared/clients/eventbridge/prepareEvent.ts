import { randomUUID } from 'node:crypto';
import { JSON_CONTENT_TYPE, PutEventsLimits } from './constants';
import { EventTooLargeError } from './errors';
import { CloudEvent } from './sdk';
import type { PublishableEvent } from './types';

/** An event ready for the SDK, with the size it will have on the wire. */
export interface PreparedEvent {
  readonly id: string;
  readonly model: CloudEvent;
  readonly bytes: number;
}

/**
 * Builds the SDK CloudEvent for a bus (the bus name travels as the `aliyuneventbusname`
 * extension) and measures it as the SDK will serialise it; refuses an event over 64 KB.
 */
export function prepareEvent(event: PublishableEvent, busName: string, now: () => Date = () => new Date()): PreparedEvent {
  const id = event.id ?? randomUUID();
  const time = event.time ?? now().toISOString();
  const json = JSON.stringify(event.data ?? null);
  const wire = {
    id,
    source: event.source,
    specversion: '1.0',
    type: event.type,
    datacontenttype: JSON_CONTENT_TYPE,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    time,
    aliyuneventbusname: busName,
    data: JSON.parse(json) as unknown,
  };
  const bytes = Buffer.byteLength(JSON.stringify(wire));
  if (bytes > PutEventsLimits.maxEventBytes) throw new EventTooLargeError(id, bytes, PutEventsLimits.maxEventBytes);
  const model = new CloudEvent({
    id,
    source: event.source,
    type: event.type,
    specversion: '1.0',
    datacontenttype: JSON_CONTENT_TYPE,
    ...(event.subject === undefined ? {} : { subject: event.subject }),
    time,
    extensions: { aliyuneventbusname: busName },
    data: Buffer.from(json),
  });
  return { id, model, bytes };
}
