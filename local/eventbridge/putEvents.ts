import { randomUUID } from 'node:crypto';
import type { FaultInjector } from '../faults';
import type { Deliverer } from './Deliverer';
import { EventBridgeApiError } from './errors';
import { DEFAULT_BUS, EmulatorLimits, EventBusStore } from './EventBusStore';
import { matchPattern } from './matchPattern';
import type { DeliveredEvent } from './types';

/** What PutEvents needs besides the body. */
export interface PutEventsContext {
  readonly store: EventBusStore;
  readonly deliverer: Deliverer;
  /** Per-entry faults: a rule for operation `PutEventsEntry` fails single entries (partial failure). */
  readonly faults: FaultInjector;
  readonly clientAddress: string;
  /** The buses the caller's RAM policy lets it put events to; absent: all. */
  readonly allowedBuses?: readonly string[];
}

type Entry = { EventId: string; TraceId?: string; ErrorCode?: string; ErrorMessage?: string };

const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,127}$/u;

function refusal(event: Record<string, unknown>, store: EventBusStore): [string, string] | undefined {
  const bytes = Buffer.byteLength(JSON.stringify(event));
  if (bytes > EmulatorLimits.maxEventBytes) return ['EventTooLarge', `event is ${bytes} bytes; the limit is ${EmulatorLimits.maxEventBytes}`];
  if (typeof event.id !== 'string' || !ID_PATTERN.test(event.id)) return ['InvalidArgument', 'id must be 1-128 of [A-Za-z0-9-] starting with a letter or digit'];
  if (typeof event.source !== 'string' || event.source === '' || event.source.length > 128) return ['InvalidArgument', 'source must be 1-128 characters'];
  if (typeof event.type !== 'string' || event.type === '' || event.type.length > 64) return ['InvalidArgument', 'type must be 1-64 characters'];
  if (event.specversion !== '1.0') return ['InvalidArgument', 'specversion must be 1.0'];
  // Required by the PutEvents page; the SDK does not fill it in, so a publisher that forgets it is refused here as in the cloud.
  if (typeof event.time !== 'string' || event.time === '') return ['InvalidArgument', 'time is required (the event time, e.g. an RFC 3339 timestamp)'];
  if (typeof event.subject === 'string' && event.subject.length > 512) return ['InvalidArgument', 'subject is longer than 512 characters'];
  const bus = event.aliyuneventbusname;
  if (typeof bus !== 'string' || bus === '') return ['InvalidArgument', 'aliyuneventbusname is missing'];
  if (!store.has(bus)) return ['EventBusNotExist', `event bus ${bus} does not exist`];
  // The default bus carries Alibaba Cloud service events only; applications publish to a custom bus.
  if (bus === DEFAULT_BUS && !event.source.startsWith('acs.')) return ['InvalidArgument', 'the default bus takes only Alibaba Cloud service events (source acs.*)'];
  return undefined;
}

/** Accepts a batch of CloudEvents, answers per entry, and fans accepted events out to matching rules. */
export function putEvents(body: Buffer, context: PutEventsContext): object {
  if (body.length > EmulatorLimits.maxRequestBytes) {
    throw new EventBridgeApiError(413, 'ExceededMaxRequestSize', `the request is ${body.length} bytes; the limit is ${EmulatorLimits.maxRequestBytes}`);
  }
  let events: unknown;
  try {
    events = JSON.parse(body.toString('utf8'));
  } catch {
    throw new EventBridgeApiError(400, 'InvalidArgument', 'the body is not a JSON array of CloudEvents');
  }
  if (!Array.isArray(events) || events.length === 0) throw new EventBridgeApiError(400, 'InvalidArgument', 'the body must be a non-empty JSON array of CloudEvents');
  if (events.length > EmulatorLimits.maxEventsPerRequest) {
    throw new EventBridgeApiError(400, 'ExceededMaxEventCount', `${events.length} events in one request; the limit is ${EmulatorLimits.maxEventsPerRequest}`);
  }
  if (context.allowedBuses) {
    // RAM authorises PutEvents per bus resource: one entry on a bus the key may not write to
    // refuses the whole request, as a denied API call does.
    const denied = (events as unknown[]).map((raw) => (typeof raw === 'object' && raw !== null ? (raw as Record<string, unknown>).aliyuneventbusname : undefined)).find((bus) => typeof bus === 'string' && !context.allowedBuses?.includes(bus));
    if (denied !== undefined) throw new EventBridgeApiError(403, 'AccessDenied', `The OwnerId that your Access Key Id associated to is forbidden for this operation (eventbridge:PutEvents on bus ${String(denied)})`);
  }
  const entries: Entry[] = [];
  for (const raw of events as unknown[]) {
    const event = (typeof raw === 'object' && raw !== null ? raw : {}) as Record<string, unknown>;
    const eventId = typeof event.id === 'string' ? event.id : '';
    const refused = refusal(event, context.store);
    const fault = refused ? undefined : context.faults.take('PutEventsEntry');
    if (refused || fault) {
      const [code, message] = refused ?? [fault?.code ?? 'InternalError', 'fault injected for this entry'];
      entries.push({ EventId: eventId, ErrorCode: code, ErrorMessage: message });
      continue;
    }
    entries.push({ EventId: eventId, TraceId: randomUUID() });
    fanOut(event as DeliveredEvent, context);
  }
  const failed = entries.filter((entry) => entry.ErrorCode !== undefined).length;
  return { RequestId: randomUUID(), ResourceOwnerAccountId: context.store.accountId, FailedEntryCount: failed, EntryList: entries };
}

/**
 * How Alibaba Cloud services put their own events (e.g. `ecs:CloudAssistant:TaskCompleted`) on the
 * default bus: the same checks and fan-out as PutEvents, but no signed call and no API faults.
 * Throws EventBridgeApiError when the event would be refused.
 */
export function publishServiceEvent(event: DeliveredEvent, context: Omit<PutEventsContext, 'faults'>): void {
  const refused = refusal(event as unknown as Record<string, unknown>, context.store);
  if (refused) throw new EventBridgeApiError(400, refused[0], refused[1]);
  const source = String(event.source);
  if (!source.startsWith('acs.')) throw new EventBridgeApiError(400, 'InvalidArgument', `service events come from acs.* sources; got ${source}`);
  fanOut(event, context);
}

function fanOut(event: DeliveredEvent, context: Omit<PutEventsContext, 'faults'>): void {
  const busName = String(event.aliyuneventbusname);
  const delivered: DeliveredEvent = {
    ...event,
    aliyunaccountid: context.store.accountId,
    aliyunpublishtime: new Date().toISOString(),
    aliyuneventbusname: busName,
    aliyunregionid: context.store.region,
    aliyunpublishaddr: context.clientAddress,
  };
  for (const rule of context.store.bus(busName).rules.values()) {
    if (rule.status !== 'ENABLE' || !matchPattern(EventBusStore.parsePattern(rule.filterPattern), delivered)) continue;
    for (const target of rule.targets.values()) context.deliverer.deliver({ event: delivered, bus: busName, rule: rule.name, target });
  }
}
