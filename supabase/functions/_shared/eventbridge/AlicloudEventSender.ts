import { Buffer } from 'node:buffer';
import { computeBackoffMs } from '../backoff.ts';
import { describeError, PublishCallError } from '../errors.ts';
import type { PublishConfig } from '../publishConfig.ts';
import type { ChangeEventWire, EntryResult, EventSender } from '../publishing/types.ts';
import { loadEventBridgeSdk } from './loadEventBridgeSdk.ts';
import type { EventBridgeSdk } from './loadEventBridgeSdk.ts';
import { resolveEndpoint } from './resolveEndpoint.ts';

/** Request error codes worth another attempt (the SDK's error has the body's code, not the status). */
const TRANSIENT_CODE = /Throttl|Internal|Unavailable|Busy|Timeout|TooManyRequests|Flow|ServiceError/iu;

type ClientClass = EventBridgeSdk['default']['default'];
type SdkClient = InstanceType<ClientClass>;

function field(value: unknown, key: string): unknown {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

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

  async send(events: readonly ChangeEventWire[]): Promise<EntryResult[]> {
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
        const code = field(error, 'code');
        const answered = field(error, 'data') !== undefined && typeof code === 'string';
        const transient = answered ? TRANSIENT_CODE.test(String(code)) : true;
        if (!transient || attempt >= this.config.PUBLISH_CALL_ATTEMPTS) {
          throw new PublishCallError(`PutEvents failed after ${attempt} attempt(s): ${describeError(error)}`, typeof code === 'string' ? code : 'NetworkError', transient, error);
        }
        await new Promise((resolve) => setTimeout(resolve, computeBackoffMs(attempt, { baseMs: 200, maxMs: 2_000 })));
      }
    }
  }
}
