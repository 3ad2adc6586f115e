import type { FcContext } from '../fc';
import { ConfigError } from '../config';

/** The function role's STS keys from the FC context, refused when FC handed none (no role). */
export function credentialsOf(context: FcContext): { accessKeyId: string; accessKeySecret: string; securityToken?: string } {
  const { accessKeyId, accessKeySecret, securityToken } = context.credentials;
  if (!accessKeyId || !accessKeySecret) {
    throw new ConfigError(context.function.name, [
      { variable: '(function role)', message: 'the FC context carries no credentials: give the function a role (s.yaml role)' },
    ]);
  }
  return { accessKeyId, accessKeySecret, ...(securityToken ? { securityToken } : {}) };
}
