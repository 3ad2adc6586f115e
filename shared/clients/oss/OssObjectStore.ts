import { createHash } from 'node:crypto';
import { ConfigError } from '../../config';
import { credentialsOf, memo } from '../../fc';
import type { FcContext } from '../../fc';
import { retry } from '../../retry';
import type { RetryOptions } from '../../retry';
import { OssConfigError, OssNotFoundError, classifyOssError } from './errors';
import { createOssSdkClient } from './sdk';
import type { AliOssClient } from './sdk';
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

/** Test seams: a prebuilt SDK client and the retry's sleep and randomness. */
export interface OssObjectStoreDependencies {
  readonly sdk?: AliOssClient;
  readonly sleep?: RetryOptions['sleep'];
  readonly random?: () => number;
}

/**
 * The object calls the product makes on one bucket (put, get, head, presigned GET) through
 * `ali-oss` with V4 signing. Throttling, 5xx and network failures are retried with capped,
 * jittered backoff; 403 and 404 fail at once with typed permanent errors.
 */
export class OssObjectStore {
  private readonly sdk: AliOssClient;
  private readonly retrySettings: RetrySettings;

  constructor(readonly config: OssClientConfig, private readonly dependencies: OssObjectStoreDependencies = {}) {
    this.sdk = dependencies.sdk ?? createOssSdkClient(config);
    this.retrySettings = { ...OssRetryDefaults, ...config.retry };
  }

  /** Stores `body` under `key` with its content type and user metadata. */
  async put(key: string, body: Buffer | string, options: PutObjectOptions = {}): Promise<PutObjectResult> {
    const content = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    // Metadata goes in as headers: ali-oss's `meta` option does the same, but its typing wants uid/pid.
    const headers: Record<string, string> = {};
    if (options.contentType) headers['Content-Type'] = options.contentType;
    for (const [name, value] of Object.entries(options.meta ?? {})) headers[`x-oss-meta-${name.toLowerCase()}`] = value;
    const result = await this.call('PutObject', key, () => this.sdk.put(key, content, { headers }));
    return { key, etag: readObjectInfo(key, result.res.headers).etag };
  }

  /** Downloads an object; a missing key or bucket throws OssNotFoundError. */
  async get(key: string): Promise<ObjectContent> {
    const result = await this.call('GetObject', key, () => this.sdk.get(key));
    const body: unknown = result.content;
    return { ...readObjectInfo(key, result.res.headers), body: Buffer.isBuffer(body) ? body : Buffer.from(String(body ?? '')) };
  }

  /**
   * Whether the object exists, with its metadata. HEAD answers carry no body, so ali-oss reports
   * any 404 as NoSuchKey: a missing bucket also reads as `exists: false`.
   */
  async head(key: string): Promise<ObjectHead> {
    try {
      const result = await this.call('HeadObject', key, () => this.sdk.head(key));
      return { exists: true, ...readObjectInfo(key, result.res.headers) };
    } catch (error) {
      if (error instanceof OssNotFoundError) return { exists: false, key };
      throw error;
    }
  }

  /**
   * A V4 presigned GET URL for `key`, valid `expiresInSeconds` (1 s to 7 days). With an STS
   * token the URL carries it and dies with it. Signing is local: nothing is sent.
   */
  async presignGet(key: string, expiresInSeconds: number): Promise<string> {
    if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < PresignLimits.minExpiresSeconds || expiresInSeconds > PresignLimits.maxExpiresSeconds) {
      throw new OssConfigError(`a presigned URL lives 1..604800 whole seconds, not ${expiresInSeconds}`, { details: { key } });
    }
    try {
      return await this.sdk.signatureUrlV4('GET', expiresInSeconds, undefined, key);
    } catch (error) {
      throw new OssConfigError(`cannot presign ${key}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }

  private call<T>(operation: string, key: string, fn: () => Promise<T>): Promise<T> {
    return retry(
      async () => {
        try {
          return await fn();
        } catch (error) {
          throw classifyOssError(error, operation, key);
        }
      },
      {
        ...this.retrySettings,
        operation: `${operation} ${key}`,
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
