import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { authenticate } from './authenticate';
import { ResendOperations } from './constants';
import { ResendApiError } from './errors';
import { getEmail } from './getEmail';
import type { IdempotencyCache } from './IdempotencyCache';
import type { Outbox } from './Outbox';
import { rateHeaders } from './rateHeaders';
import type { RateWindow } from './RateWindow';
import { resendErrorBody } from './resendErrorBody';
import { sendBatch } from './sendBatch';
import { sendEmail } from './sendEmail';
import type { ApiKeyGrant, RequestContext, StoredAnswer } from './types';

/** What the service works with. */
export interface ResendServiceOptions {
  readonly grants: readonly ApiKeyGrant[];
  readonly outbox: Outbox;
  readonly idempotency: IdempotencyCache;
  /** Absent: no rate limit. */
  readonly rateWindow?: RateWindow;
  readonly now?: () => number;
}

type Action = (context: RequestContext) => Promise<StoredAnswer>;

const EMAIL_PATH = /^\/emails\/([^/]+)$/u;

/**
 * Resend's sending API as the `resend` SDK calls it: `POST /emails`, `POST /emails/batch` and
 * `GET /emails/:id`. Each request is authenticated (Bearer key), then counted against the rate
 * window (its headers go on every authenticated answer), then run. Errors are Resend's
 * `{statusCode, message, name}` bodies.
 */
export class ResendService implements EmulatorService {
  readonly name = 'resend';
  private readonly now: () => number;

  constructor(private readonly options: ResendServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const path = request.url.pathname.replace(/\/+$/u, '');
    const method = request.method.toUpperCase();
    if (path === '/emails' || path === '/emails/batch') {
      if (method !== 'POST') return this.notAllowed(request);
      const operation = path === '/emails' ? ResendOperations.sendEmail : ResendOperations.sendBatch;
      return { operation, handle: (req) => this.run(req, path === '/emails' ? sendEmail : sendBatch) };
    }
    const id = EMAIL_PATH.exec(path)?.[1];
    if (id === undefined) return undefined;
    if (method !== 'GET') return this.notAllowed(request);
    return { operation: ResendOperations.getEmail, handle: (req) => this.run(req, (context) => getEmail(context, decodeURIComponent(id))) };
  }

  errorResponse(status: number, code: string, message: string, _request?: EmulatorRequest, headers: Readonly<Record<string, string>> = {}): EmulatorResponse {
    // An injected 429 looks like a real one: the window's headers and a retry-after.
    const window = status !== 429 ? {} : this.options.rateWindow ? rateHeaders({ ...this.options.rateWindow.peek(), allowed: false }) : { 'retry-after': '1' };
    return { status, headers: { ...window, ...headers }, body: resendErrorBody(status, code, message) };
  }

  private notAllowed(request: EmulatorRequest): EmulatorRoute {
    return {
      operation: ResendOperations.methodNotAllowed,
      handle: () => this.errorResponse(405, 'method_not_allowed', `Method ${request.method} is not allowed on ${request.url.pathname}.`),
    };
  }

  private async run(request: EmulatorRequest, action: Action): Promise<EmulatorResponse> {
    let limits: Record<string, string> = {};
    try {
      const grant = authenticate(request.headers, this.options.grants);
      const state = this.options.rateWindow?.take();
      if (state) limits = rateHeaders(state);
      if (state && !state.allowed) {
        throw new ResendApiError(
          'rate_limit_exceeded',
          `Too many requests. You can only make ${state.limit} requests per second. See rate limit response headers for more information. Or contact support to increase rate limit.`,
        );
      }
      const context: RequestContext = { request, grant, outbox: this.options.outbox, idempotency: this.options.idempotency, now: this.now };
      const answer = await action(context);
      return { status: answer.status, headers: limits, body: answer.body };
    } catch (error) {
      if (error instanceof ResendApiError) return this.errorResponse(error.status, error.resendName, error.message, request, { ...limits, ...error.headers });
      throw error;
    }
  }
}
