import { createHash } from 'node:crypto';
import { ConfigError } from '../../config';
import { credentialsOf, memo } from '../../fc';
import type { FcContext } from '../../fc';
import { retry } from '../../retry';
import type { RetryOptions } from '../../retry';
import { OssConfigError, OssNotFoundError, answerError } from './errors';
import { OssHttpClient } from './sdk';
import type { OssAnswer, OssRequest } from './sdk';
import { ContentTypes, ObjectMeta, OssRetryDefaults, PresignLimits } from './types';
import type { ObjectContent, ObjectHead, ObjectInfo, OssClientConfig, PutObjectOptions, PutObjectResult, RetrySettings } from './types';

const META_PREFIX = 'x-oss-meta-';

function text(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Reads content type, length, ETag, time and `x-oss-meta-*` metadata from response headers. */
function readObjectInfo(key: string, rawHeaders: object): ObjectInfo {
  const headers = rawHeaders as Readonly<Record<string, unknown>>;
  const meta: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = text(headers, name);
    if (name.toLowerCase().startsWith(META_PREFIX) && value !== undefined) meta[name.slice(META_PREFIX.length).toLowerCase()] = value;
  }
  const length = Number(text(headers, 'content-length'));
  const modified = text(headers, 'last-modified');
  return {
    key,
    contentType: text(headers, 'content-type'),
    contentLength: Number.isFinite(length) ? length : undefined,
    etag: text(headers, 'etag'),
    lastModified: modified === undefined || Number.isNaN(Date.parse(modified)) ? undefined : new Date(modified),
    meta,
  };
}

/** Test seams: the retry's sleep and randomness. */
export interface OssObjectStoreDependencies {
  readonly sleep?: RetryOptions['sleep'];
  readonly random?: () => number;
}

/**
 * The object calls the product makes on one bucket (put, get, head, presigned GET) with V4
 * signing. Throttling, 5xx and network failures are retried with capped, jittered backoff; 403
 * and 404 fail at once with typed permanent errors.
 */
export class OssObjectStore {
  private readonly http: OssHttpClient;
  private readonly retrySettings: RetrySettings;

  constructor(readonly config: OssClientConfig, private readonly dependencies: OssObjectStoreDependencies = {}) {
    this.http = new OssHttpClient(config);
    this.retrySettings = { ...OssRetryDefaults, ...config.retry };
  }

  /** Stores `body` under `key` with its content type, user metadata and Content-MD5. */
  async put(key: string, body: Buffer | string, options: PutObjectOptions = {}): Promise<PutObjectResult> {
    const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // OSS checks the bytes it received against Content-MD5 (ali-oss sent it too).
    const headers: Record<string, string> = { 'content-md5': createHash('md5').update(content).digest('base64') };
    if (options.contentType) headers['content-type'] = options.contentType;
    for (const [name, value] of Object.entries(options.meta ?? {})) headers[`${META_PREFIX}${name.toLowerCase()}`] = value;
    const answer = await this.call('PutObject', { method: 'PUT', key, headers, body: content });
    return { key, etag: readObjectInfo(key, answer.headers).etag };
  }

  /** Downloads an object; a missing key or bucket throws OssNotFoundError. */
  async get(key: string): Promise<ObjectContent> {
    const answer = await this.call('GetObject', { method: 'GET', key });
    return { ...readObjectInfo(key, answer.headers), body: answer.body };
  }

  /**
   * Whether the object exists, with its metadata. Any 404 is `exists: false`, a missing bucket
   * (NoSuchBucket) too.
   */
  async head(key: string): Promise<ObjectHead> {
    try {
      const answer = await this.call('HeadObject', { method: 'HEAD', key });
      return { exists: true, ...readObjectInfo(key, answer.headers) };
    } catch (error) {
      if (error instanceof OssNotFoundError) return { exists: false, key };
      throw error;
    }
  }

  /**
   * A V4 presigned GET URL for `key`, valid `expiresInSeconds` (1 s to 7 days). With an STS
   * token the URL carries it and dies with it. Signing is local: nothing is sent.
   */
  presignGet(key: string, expiresInSeconds: number): Promise<string> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < PresignLimits.minExpiresSeconds || expiresInSeconds > PresignLimits.maxExpiresSeconds) {
      return Promise.reject(new OssConfigError(`a presigned URL lives 1..604800 whole seconds, not ${expiresInSeconds}`, { details: { key } }));
    }
    return Promise.resolve(this.http.presign('GET', key, expiresInSeconds));
  }

  /** Sends one request with retries; a 2xx answer resolves, any other becomes a typed error. */
  private call(operation: string, request: OssRequest): Promise<OssAnswer> {
    return retry(
      async () => {
        const answer = await this.http.send(request);
        if (answer.status < 200 || answer.status > 299) throw answerError(answer, operation, request.key);
        return answer;
      },
      {
        ...this.retrySettings,
        operation: `${operation} ${request.key}`,
        ...(this.dependencies.sleep ? { sleep: this.dependencies.sleep } : {}),
        ...(this.dependencies.random ? { random: this.dependencies.random } : {}),
      },
    );
  }
}

/** What was uploaded: where, its ETag and the SHA-256 the ECS script checks after download. */
export interface UploadedBundle extends PutObjectResult {
  readonly sha256: string;
}

/** Uploads the worker bundle with its hex SHA-256 in `x-oss-meta-sha256`. */
export async function uploadWorkerBundle(store: OssObjectStore, key: string, bundle: Buffer): Promise<UploadedBundle> {
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const result = await store.put(key, bundle, { contentType: ContentTypes.workerBundle, meta: { [ObjectMeta.sha256]: sha256 } });
  return { ...result, sha256 };
}

/** Archives a run report as an HTML object, e.g. under `reports/<runId>.html`. */
export function uploadReportArchive(store: OssObjectStore, key: string, html: string, meta: Readonly<Record<string, string>> = {}): Promise<PutObjectResult> {
  return store.put(key, html, { contentType: ContentTypes.reportArchive, meta });
}

interface StoreInput {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly keys: ReturnType<typeof credentialsOf>;
}

// FC keeps the instance between calls: the store is rebuilt only when its address or keys change.
const cachedStore = memo(
  (input: StoreInput) => [input.endpoint, input.bucket, input.region, input.keys.accessKeyId, input.keys.securityToken ?? ''].join('|'),
  (input: StoreInput) => new OssObjectStore({ endpoint: input.endpoint, bucket: input.bucket, region: input.region, ...input.keys }),
);

function withScheme(endpoint: string): string {
  return /^https?:\/\//u.test(endpoint) ? endpoint : `https://${endpoint}`;
}

/** The project's OSS bucket (worker bundles, report archive) in the function's region. */
export function objectStoreFor(config: { OSS_ENDPOINT: string; OSS_BUCKET: string }, context: FcContext): OssObjectStore {
  return cachedStore({ endpoint: withScheme(config.OSS_ENDPOINT), bucket: config.OSS_BUCKET, region: context.region, keys: credentialsOf(context) });
}

/**
 * The signer of the report link: the read-only report-link user when its keys are set (links live
 * their full 7 days), otherwise none and the function role's store signs.
 */
export function reportLinkSignerFor(
  config: { OSS_ENDPOINT: string; OSS_BUCKET: string; REPORT_LINK_ACCESS_KEY_ID: string; REPORT_LINK_ACCESS_KEY_SECRET: string },
  context: FcContext,
): OssObjectStore | undefined {
  const id = config.REPORT_LINK_ACCESS_KEY_ID !== '';
  if (id !== (config.REPORT_LINK_ACCESS_KEY_SECRET !== '')) {
    const missing = id ? 'REPORT_LINK_ACCESS_KEY_SECRET' : 'REPORT_LINK_ACCESS_KEY_ID';
    throw new ConfigError(context.function.name, [{ variable: missing, message: 'is not set while its pair is: set both report-link keys or neither' }]);
  }
  if (!id) return undefined;
  return cachedStore({
    endpoint: withScheme(config.OSS_ENDPOINT),
    bucket: config.OSS_BUCKET,
    region: context.region,
    keys: { accessKeyId: config.REPORT_LINK_ACCESS_KEY_ID, accessKeySecret: config.REPORT_LINK_ACCESS_KEY_SECRET },
  });
}
