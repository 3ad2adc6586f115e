import { retry } from '../../retry';
import type { RetryOptions } from '../../retry';
import { classifyOssError } from './classifyOssError';
import { OssRetryDefaults, PresignLimits } from './constants';
import { createOssSdkClient } from './createOssSdkClient';
import { OssConfigError, OssNotFoundError } from './errors';
import { readObjectInfo } from './readObjectInfo';
import type { AliOssClient } from './sdk';
import type { ObjectContent, ObjectHead, OssClientConfig, PutObjectOptions, PutObjectResult, RetrySettings } from './types';

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
