import type { OssCredentials } from '../../shared/clients/oss-vectors';
import type { WorkerConfig } from '../../shared/config';
import { fetchInstanceRoleCredentials } from './instanceRoleCredentials';
import type { InstanceRoleCredentialsOptions } from './instanceRoleCredentials';

/** The keys the worker signs with, and where they came from (for logs; never the values). */
export interface WorkerCredentials {
  readonly mode: 'static-keys' | 'instance-role';
  readonly credentials: OssCredentials;
  /** When STS keys of the instance role stop working. */
  readonly expiration?: Date;
}

/** What resolving may override (tests: short backoff, a fake clock). */
export type WorkerCredentialsOptions = Omit<InstanceRoleCredentialsOptions, 'roleName' | 'endpoint'>;

/**
 * The worker's credentials as its settings choose (the config schema allows exactly one mode):
 * the instance RAM role's STS keys from the ECS metadata service when ALIBABA_CLOUD_ECS_METADATA
 * names a role, otherwise the static keys (with ALIBABA_CLOUD_SECURITY_TOKEN when set).
 */
export async function resolveWorkerCredentials(config: WorkerConfig, options: WorkerCredentialsOptions = {}): Promise<WorkerCredentials> {
  if (config.ALIBABA_CLOUD_ECS_METADATA !== '') {
    const sts = await fetchInstanceRoleCredentials({ ...options, roleName: config.ALIBABA_CLOUD_ECS_METADATA, endpoint: config.ECS_METADATA_ENDPOINT });
    return {
      mode: 'instance-role',
      credentials: { accessKeyId: sts.accessKeyId, accessKeySecret: sts.accessKeySecret, securityToken: sts.securityToken },
      expiration: sts.expiration,
    };
  }
  const token = config.ALIBABA_CLOUD_SECURITY_TOKEN;
  return {
    mode: 'static-keys',
    credentials: {
      accessKeyId: config.ALIBABA_CLOUD_ACCESS_KEY_ID,
      accessKeySecret: config.ALIBABA_CLOUD_ACCESS_KEY_SECRET,
      ...(token === '' ? {} : { securityToken: token }),
    },
  };
}
