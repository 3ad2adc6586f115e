import type { IncomingHttpHeaders } from 'node:http';
import type { QueryParameter } from './parseRawQuery';

/** A key the emulator accepts; with `securityToken` it stands for an STS credential. */
export interface OssCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken?: string;
}

/** One stored object with what OSS keeps beside the bytes. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  /** Quoted upper-case hex MD5, as OSS writes it for a simple upload. */
  readonly etag: string;
  readonly lastModified: Date;
  /** User metadata without the `x-oss-meta-` prefix, names lower-cased. */
  readonly meta: Readonly<Record<string, string>>;
}

/** Where the emulator keeps buckets and objects (memory or a directory). */
export interface ObjectStore {
  hasBucket(bucket: string): Promise<boolean>;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, object: StoredObject): Promise<void>;
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
}

/** Bucket and key of a request, however it was addressed. */
export interface ObjectAddress {
  readonly bucket: string;
  /** Empty for a bucket-level request. */
  readonly key: string;
  readonly style: 'virtual-hosted' | 'path';
}

/** A request as the signature checks see it. */
export interface SignedRequest {
  readonly method: string;
  readonly bucket: string;
  readonly key: string;
  readonly query: readonly QueryParameter[];
  readonly headers: IncomingHttpHeaders;
  /** The region of this endpoint, bare (`cn-hangzhou`). */
  readonly region: string;
  readonly now: number;
}
