import { createHash } from 'node:crypto';
import { ContentTypes, ObjectMeta } from './constants';
import type { OssObjectStore } from './OssObjectStore';
import type { PutObjectResult } from './types';

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
