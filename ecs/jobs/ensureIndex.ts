import { OssVectorsRequestError } from '../../shared/clients/oss-vectors';
import type { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { IndexRow } from '../../shared/ledger';

const made = new Set<string>();

/** Creates the generation's index in OSS Vectors unless it exists (a 409 means it does). */
export async function ensureIndex(oss: OssVectorsClient, index: IndexRow): Promise<void> {
  const key = `${index.bucket}/${index.index_name}`;
  if (made.has(key)) return;
  try {
    await oss.putVectorIndex({ bucket: index.bucket, indexName: index.index_name, dimension: index.dimension, distanceMetric: index.metric });
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 409)) throw error;
  }
  made.add(key);
}

/** Creates the vector bucket unless it exists. */
export async function ensureBucket(oss: OssVectorsClient, bucket: string): Promise<void> {
  try {
    await oss.putVectorBucket(bucket);
  } catch (error) {
    if (!(error instanceof OssVectorsRequestError && error.status === 409)) throw error;
  }
}
