import { PermanentError } from '../shared/errors';

/** Where the ECS metadata service answers on every instance. */
export const ECS_METADATA_DEFAULT_ENDPOINT = 'http://100.100.100.200';
/** The paths and headers of the metadata service (hardened mode: a token first). */
export const EcsMetadata = {
  tokenPath: '/latest/api/token',
  credentialsPath: '/latest/meta-data/ram/security-credentials/',
  tokenTtlHeader: 'x-aliyun-ecs-metadata-token-ttl-seconds',
  tokenHeader: 'x-aliyun-ecs-metadata-token',
  maxTokenTtlSeconds: 21_600,
} as const;

/** STS keys of the instance RAM role. */
export interface InstanceRoleCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  readonly expiration: Date;
}

/** How to reach the metadata service. */
export interface InstanceRoleCredentialsOptions {
  /** The RAM role attached to the instance (ALIBABA_CLOUD_ECS_METADATA). */
  readonly roleName: string;
  /** Default `http://100.100.100.200`. */
  readonly endpoint?: string;
  /** Per request; default 1500 ms. */
  readonly timeoutMs?: number;
  /** Attempts in all (token and credentials), at least 1; default 3. */
  readonly attempts?: number;
  /** First backoff, doubled each retry; default 200 ms. */
  readonly baseDelayMs?: number;
  /** Lifetime asked for the metadata token; default 300 s (it is used at once). */
  readonly tokenTtlSeconds?: number;
  /** Default `Date.now` (checks the expiration). */
  readonly now?: () => number;
  /** Default the global `fetch`. */
  readonly fetch?: typeof fetch;
}

/**
 * The instance RAM role's keys could not be had: the role is not attached, the metadata service
 * refused or kept failing, or its answer was unusable. Names the role, never a key value.
 */
export class InstanceRoleCredentialsError extends PermanentError {}

/** A failure worth another attempt (timeout, network, 5xx, unreadable answer). */
class RetryableMetadataFailure extends Error {}

const TOKEN_UNSUPPORTED = new Set([403, 404, 405]);
const REQUIRED_FIELDS = ['AccessKeyId', 'AccessKeySecret', 'SecurityToken', 'Expiration'] as const;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function describe(error: unknown): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'timed out';
  if (error instanceof Error) return error.cause instanceof Error ? `${error.message} (${error.cause.message})` : error.message;
  return String(error);
}

/**
 * Fetches the STS keys of the instance RAM role from the ECS metadata service: a token first
 * (`PUT /latest/api/token`; hardened mode), falling back to plain GETs when the service has no
 * token API (403/404/405); then `GET /latest/meta-data/ram/security-credentials/<role>`.
 * Timeouts, network errors and 5xx are retried with doubling backoff, `attempts` times in all.
 */
export async function fetchInstanceRoleCredentials(options: InstanceRoleCredentialsOptions): Promise<InstanceRoleCredentials> {
  const role = options.roleName;
  const base = (options.endpoint ?? ECS_METADATA_DEFAULT_ENDPOINT).replace(/\/+$/u, '');
  const timeoutMs = options.timeoutMs ?? 1500;
  const attempts = Math.max(1, Math.floor(options.attempts ?? 3));
  const baseDelayMs = options.baseDelayMs ?? 200;
  const ttl = Math.min(EcsMetadata.maxTokenTtlSeconds, Math.max(1, Math.floor(options.tokenTtlSeconds ?? 300)));
  const now = options.now ?? Date.now;
  const send = options.fetch ?? fetch;
  const fail = (message: string, cause?: unknown) =>
    new InstanceRoleCredentialsError(`instance RAM role ${role}: ${message}`, {
      code: 'InstanceRoleCredentials',
      details: { role, endpoint: base },
      ...(cause === undefined ? {} : { cause }),
    });

  async function request(method: 'PUT' | 'GET', path: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
    try {
      const response = await send(`${base}${path}`, { method, headers, signal: AbortSignal.timeout(timeoutMs) });
      return { status: response.status, body: await response.text() };
    } catch (error) {
      throw new RetryableMetadataFailure(`${method} ${path}: ${describe(error)}`);
    }
  }

  /** The token, or undefined when the service has no token API (plain mode from then on). */
  let plainMode = false;
  async function token(): Promise<string | undefined> {
    if (plainMode) return undefined;
    const answer = await request('PUT', EcsMetadata.tokenPath, { [EcsMetadata.tokenTtlHeader]: String(ttl) });
    if (answer.status === 200 && answer.body.trim() !== '') return answer.body.trim();
    if (TOKEN_UNSUPPORTED.has(answer.status)) {
      plainMode = true;
      return undefined;
    }
    if (answer.status >= 500 || answer.status === 429 || answer.status === 200) {
      throw new RetryableMetadataFailure(`the metadata token request answered ${answer.status}${answer.status === 200 ? ' with an empty token' : ''}`);
    }
    throw fail(`the metadata token request answered ${answer.status}`);
  }

  async function credentials(): Promise<InstanceRoleCredentials> {
    const metadataToken = await token();
    const path = `${EcsMetadata.credentialsPath}${encodeURIComponent(role)}`;
    const answer = await request('GET', path, metadataToken === undefined ? {} : { [EcsMetadata.tokenHeader]: metadataToken });
    if (answer.status === 404) throw fail(`the metadata service does not know the role (404): is it attached to this instance?`);
    if (answer.status === 401 || answer.status === 403) {
      throw fail(`the metadata service refused the credentials request (${answer.status})${metadataToken === undefined ? '; it may require a metadata token (hardened mode)' : ''}`);
    }
    if (answer.status >= 500 || answer.status === 429) throw new RetryableMetadataFailure(`the credentials request answered ${answer.status}`);
    if (answer.status !== 200) throw fail(`the credentials request answered ${answer.status}`);
    let body: unknown;
    try {
      body = JSON.parse(answer.body);
    } catch {
      throw new RetryableMetadataFailure('the credentials answer is not JSON');
    }
    return parseCredentials(body, now(), fail);
  }

  let lastFailure = '';
  for (let attempt = 1; attempt <= attempts; attempt += 1) {
    try {
      return await credentials();
    } catch (error) {
      if (!(error instanceof RetryableMetadataFailure)) throw error;
      lastFailure = error.message;
      if (attempt < attempts) await sleep(baseDelayMs * 2 ** (attempt - 1));
    }
  }
  throw fail(`the metadata service at ${base} failed ${attempts} time(s); last: ${lastFailure}`);
}

function parseCredentials(
  body: unknown,
  nowMs: number,
  fail: (message: string) => InstanceRoleCredentialsError,
): InstanceRoleCredentials {
  if (typeof body !== 'object' || body === null) throw fail('the credentials answer is not a JSON object');
  const record = body as Record<string, unknown>;
  if (record.Code !== 'Success') throw fail(`the metadata service answered Code ${typeof record.Code === 'string' ? JSON.stringify(record.Code) : 'missing'}, not "Success"`);
  const missing = REQUIRED_FIELDS.filter((field) => typeof record[field] !== 'string' || (record[field] as string).trim() === '');
  if (missing.length > 0) throw fail(`the credentials answer lacks ${missing.join(', ')}`);
  const expiration = new Date(record.Expiration as string);
  if (Number.isNaN(expiration.getTime())) throw fail('the credentials answer has an Expiration that is not a date');
  if (expiration.getTime() <= nowMs) throw fail(`the credentials expired at ${expiration.toISOString()}`);
  return {
    accessKeyId: record.AccessKeyId as string,
    accessKeySecret: record.AccessKeySecret as string,
    securityToken: record.SecurityToken as string,
    expiration,
  };
}
