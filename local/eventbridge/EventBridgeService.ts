import { randomUUID } from 'node:crypto';
import type { FaultInjector } from '../faults';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { CONTROL_PLANE } from './controlPlane';
import type { Deliverer } from './Deliverer';
import { EventBridgeApiError } from './errors';
import type { EventBusStore } from './EventBusStore';
import { putEvents } from './putEvents';
import type { EmulatorCredential } from './types';
import { verifySignature } from './verifySignature';

/**
 * The EventBridge data-plane API (`POST /openapi/<action>`) as `@alicloud/eventbridge` calls it:
 * every call signed with HMAC-SHA1, PutEvents with its limits and per-entry answers, and the
 * control-plane calls the routing deployer uses. Faults match on the action name (`putEvents`).
 */
export class EventBridgeService implements EmulatorService {
  readonly name = 'eventbridge';

  constructor(
    private readonly store: EventBusStore,
    private readonly deliverer: Deliverer,
    private readonly faults: FaultInjector,
    private readonly credentials: readonly EmulatorCredential[],
  ) {}

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const action = /^\/openapi\/([A-Za-z]+)$/u.exec(request.url.pathname)?.[1];
    if (request.method !== 'POST' || action === undefined) return undefined;
    if (action !== 'putEvents' && !(action in CONTROL_PLANE)) return undefined;
    return { operation: action, handle: (req) => this.handle(action, req) };
  }

  errorResponse(status: number, code: string, message: string): EmulatorResponse {
    // The SDK reads `code`, `message` and `requestId` from an error body (lower camel case).
    return { status, body: { requestId: randomUUID(), code, message, success: false } };
  }

  private handle(action: string, request: EmulatorRequest): EmulatorResponse {
    try {
      const keyId = verifySignature(request.method, request.url, request.headers, this.credentials);
      if (action === 'putEvents') {
        const clientAddress = request.raw.socket.remoteAddress ?? '127.0.0.1';
        const allowedBuses = this.credentials.find((credential) => credential.accessKeyId === keyId)?.putEventsBuses;
        return { status: 200, body: putEvents(request.body, { store: this.store, deliverer: this.deliverer, faults: this.faults, clientAddress, ...(allowedBuses ? { allowedBuses } : {}) }) };
      }
      const handler = CONTROL_PLANE[action];
      if (!handler) return this.errorResponse(404, 'NotFound', `no such action ${action}`);
      const body = this.parseJson(request.body);
      return { status: 200, body: { RequestId: randomUUID(), ResourceOwnerAccountId: this.store.accountId, ...handler(body, this.store) } };
    } catch (error) {
      if (error instanceof EventBridgeApiError) return this.errorResponse(error.status, error.code, error.message);
      throw error;
    }
  }

  private parseJson(body: Buffer): unknown {
    try {
      return body.length === 0 ? {} : (JSON.parse(body.toString('utf8')) as unknown);
    } catch {
      throw new EventBridgeApiError(400, 'InvalidArgument', 'the body is not JSON');
    }
  }
}
