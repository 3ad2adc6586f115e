import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import { BusName, desiredTarget } from '../../shared/routing';
import type { Route } from '../../shared/routing';
import { Deliverer } from './Deliverer';
import type { DuplicateDeliveries } from './Deliverer';
import { EventBridgeService } from './EventBridgeService';
import { EventBusStore } from './EventBusStore';
import { publishServiceEvent } from './putEvents';
import type { DeliveredEvent, DeadLetterRecord, DeliveryRecord, ServiceEvent, EmulatorCredential, InvokableFunction } from './types';

/** Defaults of the local account. */
const EmulatorDefaults = {
  accountId: '1234567890123456',
  region: 'cn-hangzhou',
  accessKeyId: 'LTAI-local-eventbridge',
  accessKeySecret: 'local-eventbridge-secret',
  timeScale: 1,
} as const;

/** Settings of a local EventBridge. */
export interface EventBridgeEmulatorOptions {
  readonly accountId?: string;
  readonly region?: string;
  /** Keys accepted on signed calls; default one fixed local key. */
  readonly credentials?: readonly EmulatorCredential[];
  /** Function name -> function; may be filled in after start. */
  readonly functions?: Map<string, InvokableFunction>;
  /** Multiplies retry waits (e.g. 0.001 in tests). */
  readonly timeScale?: number;
  /** Routes to load at start (e.g. the project's ROUTES); the deployer can also create them. */
  readonly routes?: readonly Route[];
  readonly port?: number;
  readonly random?: () => number;
}

/** A running local EventBridge and the handles tests read. */
export interface EventBridgeEmulator {
  readonly server: EmulatorServer;
  /** `127.0.0.1:<port>`, the form the SDK takes as `endpoint`. */
  readonly endpoint: string;
  readonly accountId: string;
  readonly region: string;
  readonly credentials: readonly EmulatorCredential[];
  readonly functions: Map<string, InvokableFunction>;
  readonly faults: FaultInjector;
  readonly store: EventBusStore;
  /** Every delivery attempt, in order. */
  readonly deliveries: readonly DeliveryRecord[];
  /** Events whose retries ran out. */
  readonly deadLetters: readonly DeadLetterRecord[];
  /** Fault knob: a share of delivered events pushed to their target once more. */
  readonly duplicates: DuplicateDeliveries;
  /**
   * Puts an Alibaba Cloud service event (source `acs.*`, e.g. Cloud Assistant's TaskCompleted) on
   * its bus as the cloud does internally: no signed call, no API faults; rules and retries apply.
   */
  publishServiceEvent(event: ServiceEvent): void;
  /** Resolves when no delivery is in flight or waiting for a retry. */
  idle(): Promise<void>;
  /** How many deliveries are in flight or waiting for a retry now. */
  inFlight(): number;
  /** Stops the server and pending retries (functions are the caller's to close). */
  close(): Promise<void>;
}

/** `aliyunpublishaddr` of service events: they come from inside the cloud, not from a client. */
const SERVICE_EVENT_ADDRESS = '127.0.0.1';

/** Loads a routing declaration straight into the store, as the deployer would create it. */
function loadRoutes(store: EventBusStore, routes: readonly Route[]): void {
  for (const route of routes) {
    if (route.bus !== BusName.Default && !store.has(route.bus)) store.createBus(route.bus, 'loaded from the routing declaration');
    const rule = store.createRule(route.bus, route.rule, { description: route.description, status: 'ENABLE', filterPattern: JSON.stringify(route.pattern) });
    const target = desiredTarget(route, { region: store.region, accountId: store.accountId });
    store.putTargets(rule, [
      {
        Id: target.id,
        Type: target.type,
        Endpoint: target.endpoint,
        PushRetryStrategy: target.pushRetryStrategy,
        ParamList: target.paramList.map((param) => ({ ResourceKey: param.resourceKey, Form: param.form })),
        ...(target.deadLetterArn ? { DeadLetterQueue: { Arn: target.deadLetterArn } } : {}),
        ...(target.errorsTolerance ? { ErrorsTolerance: target.errorsTolerance } : {}),
      },
    ]);
  }
}

/** Starts the EventBridge emulator on 127.0.0.1. */
export async function startEventBridge(options: EventBridgeEmulatorOptions = {}): Promise<EventBridgeEmulator> {
  const accountId = options.accountId ?? EmulatorDefaults.accountId;
  const region = options.region ?? EmulatorDefaults.region;
  const credentials = options.credentials ?? [{ accessKeyId: EmulatorDefaults.accessKeyId, accessKeySecret: EmulatorDefaults.accessKeySecret }];
  const functions = options.functions ?? new Map<string, InvokableFunction>();
  const faults = new FaultInjector();
  const store = new EventBusStore(region, accountId);
  const deliverer = new Deliverer(functions, { timeScale: options.timeScale ?? EmulatorDefaults.timeScale, ...(options.random ? { random: options.random } : {}) });
  if (options.routes) loadRoutes(store, options.routes);
  const server = new EmulatorServer(new EventBridgeService(store, deliverer, faults, credentials), faults);
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: server.host,
    accountId,
    region,
    credentials,
    functions,
    faults,
    store,
    deliveries: deliverer.deliveries,
    deadLetters: deliverer.deadLetters,
    duplicates: deliverer.duplicates,
    publishServiceEvent: (event) => publishServiceEvent(event as unknown as DeliveredEvent, { store, deliverer, clientAddress: SERVICE_EVENT_ADDRESS }),
    idle: () => deliverer.idle(),
    inFlight: () => deliverer.inFlight,
    async close() {
      deliverer.close();
      await server.stop();
    },
  };
}
