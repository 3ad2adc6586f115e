// PutEvents from the edge with the official `@alicloud/eventbridge` SDK. The endpoint parsing and
// the judgement of a failed request (transient or not, its code) are shared/clients/eventbridge's.
import { Buffer } from 'node:buffer';
import os from 'node:os';
import { resolveEndpoint } from '../../../shared/clients/eventbridge/batches.ts';
import { classifyRequestError } from '../../../shared/clients/eventbridge/errors.ts';
import type { ChangesPublishedEvent } from '../../../shared/contracts/change-events.ts';
import { computeDelay } from '../../../shared/retry.ts';
import type { PublishConfig } from './config.ts';
import { errorText, PublishCallError } from './errors.ts';

/**
 * A `vectorsync.changes.published` CloudEvent as it goes on the wire: the contract's envelope
 * without the `aliyun*` attributes the bus adds on delivery.
 */
export type ChangeEvent = Pick<ChangesPublishedEvent, 'id' | 'source' | 'type' | 'specversion' | 'subject' | 'time' | 'data'> & {
  readonly datacontenttype: string;
};

/** What EventBridge answered for one event of a call. */
export interface EntryResult {
  readonly eventId: string;
  /** Empty when accepted. */
  readonly errorCode: string;
  readonly errorMessage: string;
}

/** Publishes events to the bus; throws PublishCallError when the whole call failed. */
export interface EventSender {
  send(events: readonly ChangeEvent[]): Promise<EntryResult[]>;
}

/**
 * Loads `@alicloud/eventbridge`. Its dependency kitx calls `os.hostname()` while loading, which a
 * `deno run` without `--allow-sys` refuses (Supabase's runtime allows it); the name only seeds a
 * nonce, so a fixed one is put in its place when the real one is not readable.
 */
// deno-lint-ignore explicit-function-return-type
async function loadEventBridgeSdk() {
  try {
    os.hostname();
  } catch {
    (os as unknown as { hostname: () => string }).hostname = () => 'supabase-edge';
  }
  return await import('@alicloud/eventbridge');
}

type EventBridgeSdk = Awaited<ReturnType<typeof loadEventBridgeSdk>>;
type ClientClass = EventBridgeSdk['default']['default'];
type SdkClient = InstanceType<ClientClass>;

/**
 * PutEvents with the official `@alicloud/eventbridge` SDK. A whole call that fails on throttling,
 * 5xx or the network is sent again a bounded number of times; entry results are handed back as
 * they are (the caller settles each event's messages).
 */
export class AlicloudEventSender implements EventSender {
  private constructor(private readonly sdk: EventBridgeSdk, private readonly client: SdkClient, private readonly config: PublishConfig) {}

  /** Builds the client from the settings (keys, optional STS token, endpoint and protocol). */
  static async create(config: PublishConfig): Promise<AlicloudEventSender> {
    const sdk = await loadEventBridgeSdk();
    // CommonJS `exports.default`: Deno may hand back the module object or the class itself.
    const loaded = sdk.default as unknown as ClientClass | { default: ClientClass };
    const Client = 'default' in loaded && typeof loaded.default === 'function' ? loaded.default : (loaded as ClientClass);
    const { host, protocol } = resolveEndpoint(config.EVENTBRIDGE_ENDPOINT);
    const client = new Client(
      new sdk.Config({
        endpoint: host,
        protocol,
        accessKeyId: config.ALIBABA_CLOUD_ACCESS_KEY_ID,
        accessKeySecret: config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
        ...(config.ALIBABA_CLOUD_SECURITY_TOKEN ? { securityToken: config.ALIBABA_CLOUD_SECURITY_TOKEN } : {}),
        ...(config.ALIBABA_CLOUD_REGION_ID ? { regionId: config.ALIBABA_CLOUD_REGION_ID } : {}),
        readTimeout: config.PUBLISH_TIMEOUT_MS,
        connectTimeout: Math.min(5_000, config.PUBLISH_TIMEOUT_MS),
      }),
    );
    return new AlicloudEventSender(sdk, client, config);
  }

  async send(events: readonly ChangeEvent[]): Promise<EntryResult[]> {
    const models = events.map(
      (event) =>
        new this.sdk.CloudEvent({
          id: event.id,
          source: event.source,
          type: event.type,
          specversion: event.specversion,
          datacontenttype: event.datacontenttype,
          ...(event.subject === undefined ? {} : { subject: event.subject }),
          time: event.time,
          extensions: { aliyuneventbusname: this.config.EVENT_BUS_NAME },
          data: Buffer.from(JSON.stringify(event.data)),
        }),
    );
    for (let attempt = 1; ; attempt += 1) {
      try {
        const response = await this.client.putEvents(models);
        return (response.entryList ?? []).map((entry) => ({ eventId: entry.eventId ?? '', errorCode: entry.errorCode ?? '', errorMessage: entry.errorMessage ?? '' }));
      } catch (error) {
        const { transient, code } = classifyRequestError(error, 'PutEvents');
        if (!transient || attempt >= this.config.PUBLISH_CALL_ATTEMPTS) {
          throw new PublishCallError(`PutEvents failed after ${attempt} attempt(s): ${errorText(error)}`, code, transient, error);
        }
        await new Promise((resolve) => setTimeout(resolve, computeDelay(attempt, { baseDelayMs: 200, maxDelayMs: 2_000 })));
      }
    }
  }
}
