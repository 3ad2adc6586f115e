import { OssVectorsClient } from '../../shared/clients/oss-vectors';
import type { OssCredentials } from '../../shared/clients/oss-vectors';
import type { WorkerConfig } from '../../shared/config';

/**
 * The OSS Vectors client of the worker: signed with `credentials` (its own keys or the instance
 * role's STS keys, see `resolveWorkerCredentials`), PutVectors throttled by the client's token
 * bucket at PUT_VECTORS_QPS, 429/5xx retried with capped backoff, top-K capped at QUERY_TOPK_MAX.
 */
export function ossClientFor(config: WorkerConfig, credentials: OssCredentials): OssVectorsClient {
  return new OssVectorsClient({
    region: config.OSS_VECTORS_REGION,
    accountId: config.ALIBABA_ACCOUNT_ID,
    credentials: {
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      ...(credentials.securityToken === undefined || credentials.securityToken === '' ? {} : { securityToken: credentials.securityToken }),
    },
    ...(config.OSS_VECTORS_ENDPOINT === '' ? {} : { endpoint: config.OSS_VECTORS_ENDPOINT }),
    putVectorsQps: config.PUT_VECTORS_QPS,
    limits: { maxTopK: config.QUERY_TOPK_MAX },
  });
}
