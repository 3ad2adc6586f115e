import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { WorkerConfig } from '../../shared/config';

/**
 * The OSS Vectors client of the worker: its own keys, PutVectors throttled by the client's token
 * bucket at PUT_VECTORS_QPS, 429/5xx retried with capped backoff, top-K capped at QUERY_TOPK_MAX.
 */
export function ossClientFor(config: WorkerConfig): OssVectorsClient {
  const token = config.ALIBABA_CLOUD_SECURITY_TOKEN;
  return new OssVectorsClient({
    region: config.OSS_VECTORS_REGION,
    accountId: config.ALIBABA_ACCOUNT_ID,
    credentials: {
      accessKeyId: config.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      ...(token === '' ? {} : { securityToken: token }),
    },
    ...(config.OSS_VECTORS_ENDPOINT === '' ? {} : { endpoint: config.OSS_VECTORS_ENDPOINT }),
    putVectorsQps: config.PUT_VECTORS_QPS,
    limits: { maxTopK: config.QUERY_TOPK_MAX },
  });
}
