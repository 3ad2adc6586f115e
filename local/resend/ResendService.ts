import { createHash, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { canonicalJson } from '../../shared/values';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from '../http';
import { rateHeaders } from './admission';
import type { IdempotencyCache, RateWindow, StoredAnswer } from './admission';
import { ApiKeyPermissions, ResendEmulatorLimits, ResendOperations } from './constants';
import type { ApiKeyGrant } from './constants';
import { ResendApiError, resendErrorBody } from './errors';
import type { Outbox } from './Outbox';
import { toOutboxMessage } from './Outbox';
import { parseJsonBody, readIdempotencyKey, validateEmail } from './validation';
import type { AcceptedEmail } from './validation';

/** What the service works with. */
export interface ResendServiceOptions {
  readonly grants: readonly ApiKeyGrant[];
  readonly outbox: Outbox;
  readonly idempotency: IdempotencyCache;
  /** Absent: no rate limit. */
  readonly rateWindow?: RateWindow;
  readonly now?: () => number;
}

/** What an operation needs besides the request. */
interface RequestContext {
  readonly request: EmulatorRequest;
  readonly grant: ApiKeyGrant;
  readonly outbox: Outbox;
  readonly idempotency: IdempotencyCache;
  readonly now: () => number;
}

/** The grant of the request's Bearer key; 401 `missing_api_key` without one, 403 `invalid_api_key` for an unknown one. */
function authenticate(headers: IncomingHttpHeaders, grants: readonly ApiKeyGrant[]): ApiKeyGrant {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(headers.authorization ?? '');
  if (!match?.[1]) {
    throw new ResendApiError('missing_api_key', 'Missing API key in the authorization header. Include the following header `Authorization: Bearer YOUR_API_KEY` in the request.');
  }
  const grant = grants.find((candidate) => candidate.key === match[1]);
  if (!grant) throw new ResendApiError('invalid_api_key', 'API key is invalid');
  return grant;
}

/**
 * Runs an operation under the request's `Idempotency-Key`, if any: the same key and the same
 * payload (compared as canonical JSON, so key order does not matter) replay the first success;
 * a different payload is 409 `invalid_idempotent_request`.
 */
async function withIdempotency(context: RequestContext, scope: string, payload: unknown, run: () => Promise<StoredAnswer>): Promise<StoredAnswer> {
  const key = readIdempotencyKey(context.request.headers);
  if (key === undefined) return run();
  const fingerprint = createHash('sha256').update(canonicalJson(payload)).digest('hex');
  const decision = context.idempotency.begin(scope, key, fingerprint);
  if (decision.kind === 'replay') return decision.answer;
  try {
    const answer = await run();
    context.idempotency.complete(scope, key, answer);
    return answer;
  } finally {
    context.idempotency.release(scope, key);
  }
}

/** Gives a valid message its id and writes it to the outbox; returns the id. */
async function acceptEmail(context: RequestContext, email: AcceptedEmail, endpoint: '/emails' | '/emails/batch', batchIndex: number | null): Promise<string> {
  const id = randomUUID();
  const userAgent = context.request.headers['user-agent'];
  const idempotencyKey = context.request.headers['idempotency-key'];
  await context.outbox.write(
    toOutboxMessage(email, {
      id,
      createdAt: new Date(context.now()).toISOString(),
      endpoint,
      batchIndex,
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : null,
      userAgent: userAgent ?? null,
      permission: context.grant.permission,
    }),
  );
  return id;
}

/** `POST /emails`: one message; answers `{id}`. */
async function sendEmail(context: RequestContext): Promise<StoredAnswer> {
  const body = parseJsonBody(context.request);
  return withIdempotency(context, '/emails', body, async () => {
    const email = validateEmail(body, { now: context.now() });
    const id = await acceptEmail(context, email, '/emails', null);
    return { status: 200, body: { id } };
  });
}

function readMode(context: RequestContext): 'strict' | 'permissive' {
  const mode = context.request.headers['x-batch-validation'] ?? 'strict';
  if (mode === 'strict' || mode === 'permissive') return mode;
  throw new ResendApiError('validation_error', '`x-batch-validation` must be strict or permissive.');
}

/**
 * `POST /emails/batch`: 1 to 100 messages, no attachments. `strict` (the default) refuses the
 * whole batch on the first invalid message; `permissive` sends the valid ones and lists the rest.
 */
async function sendBatch(context: RequestContext): Promise<StoredAnswer> {
  const body = parseJsonBody(context.request);
  const mode = readMode(context);
  if (!Array.isArray(body)) throw new ResendApiError('validation_error', 'The request body must be an array of emails.');
  if (body.length === 0) throw new ResendApiError('validation_error', 'The batch must contain at least 1 email.');
  if (body.length > ResendEmulatorLimits.maxBatchEmails) {
    throw new ResendApiError('validation_error', `Too many emails in the batch: the maximum is ${ResendEmulatorLimits.maxBatchEmails}, got ${body.length}.`);
  }
  return withIdempotency(context, '/emails/batch', { mode, body }, async () => {
    const now = context.now();
    const valid: { index: number; email: AcceptedEmail }[] = [];
    const errors: { index: number; message: string }[] = [];
    body.forEach((item: unknown, index) => {
      try {
        valid.push({ index, email: validateEmail(item, { batchIndex: index, now }) });
      } catch (error) {
        if (mode === 'strict' || !(error instanceof ResendApiError)) throw error;
        errors.push({ index, message: error.message });
      }
    });
    const data: { id: string }[] = [];
    for (const { index, email } of valid) data.push({ id: await acceptEmail(context, email, '/emails/batch', index) });
    return { status: 200, body: mode === 'permissive' ? { data, errors } : { data } };
  });
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** `GET /emails/:id`: the stored message, read back from the outbox. */
async function getEmail(context: RequestContext, id: string): Promise<StoredAnswer> {
  if (context.grant.permission !== ApiKeyPermissions.fullAccess) throw new ResendApiError('restricted_api_key', 'This API key is restricted to only send emails.');
  if (!UUID.test(id)) throw new ResendApiError('validation_error', 'The `id` must be a valid UUID.');
  const entry = await context.outbox.read(id);
  if (!entry) throw new ResendApiError('not_found', 'Email not found');
  return { status: 200, body: entry.email };
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
