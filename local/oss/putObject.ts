import { createHash } from 'node:crypto';
import type { EmulatorRequest, EmulatorResponse } from '../http';
import { OssApiError } from './errors';
import type { ObjectAddress, ObjectStore } from './types';

/** Longest object key OSS takes, in UTF-8 bytes. */
const MAX_KEY_BYTES = 1023;
const META_PREFIX = 'x-oss-meta-';

function header(request: EmulatorRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/**
 * PutObject: checks the key and any Content-MD5, stores the bytes with their content type and
 * `x-oss-meta-*` metadata, and answers 200 with the ETag (quoted upper-case hex MD5, as OSS).
 */
export async function putObject(store: ObjectStore, address: ObjectAddress, request: EmulatorRequest, now: Date): Promise<EmulatorResponse> {
  const keyBytes = Buffer.byteLength(address.key, 'utf8');
  if (keyBytes > MAX_KEY_BYTES || address.key.startsWith('/') || address.key.startsWith('\\')) {
    throw new OssApiError('InvalidObjectName', `the object key must be 1-${MAX_KEY_BYTES} bytes and not start with / or \\`, { Key: address.key });
  }
  const md5 = createHash('md5').update(request.body).digest();
  const contentMd5 = header(request, 'content-md5');
  if (contentMd5 !== undefined && contentMd5 !== md5.toString('base64')) {
    throw new OssApiError('InvalidDigest', undefined, { CalculatedDigest: md5.toString('base64'), ExpectedDigest: contentMd5 });
  }
  const meta: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(META_PREFIX) && value !== undefined) meta[name.slice(META_PREFIX.length)] = Array.isArray(value) ? value.join(',') : value;
  }
  const etag = `"${md5.toString('hex').toUpperCase()}"`;
  const contentType = header(request, 'content-type') ?? 'application/octet-stream';
  await store.put(address.bucket, address.key, { body: request.body, contentType, etag, lastModified: now, meta });
  return { status: 200, headers: { etag, 'content-md5': md5.toString('base64') } };
}
