// The keys of one local boot, made up at start: no key of the local cloud is ever in the repository.
import { randomBytes } from 'node:crypto';

/** Keys of one local boot: made up at start, so no key is ever written into the repository. */
export interface LocalKeys {
  /** The FC function role's STS keys, handed to handlers in their context as FC does. */
  readonly functionRole: { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken: string };
  /** The RAM user the publish-changes edge function signs PutEvents with. */
  readonly edgePublisher: { readonly accessKeyId: string; readonly accessKeySecret: string };
  /** The worker instances' RAM role: STS keys the local ECS metadata service hands out. */
  readonly worker: { readonly accessKeyId: string; readonly accessKeySecret: string; readonly securityToken: string };
  /** Operator keys (npm start itself: routing deploy, manual runs, bundle upload). */
  readonly operator: { readonly accessKeyId: string; readonly accessKeySecret: string };
  readonly resendApiKey: string;
  readonly functionKey: string;
  /** The embed-query edge function's own key, which only the worker holds. */
  readonly embedQueryKey: string;
}

function token(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

function accessKey(): { accessKeyId: string; accessKeySecret: string } {
  return { accessKeyId: `LTAIlocal${randomBytes(8).toString('hex')}`, accessKeySecret: token(24) };
}

/** Fresh keys for a boot. */
export function makeLocalKeys(): LocalKeys {
  return {
    functionRole: { accessKeyId: `STS.local${randomBytes(8).toString('hex')}`, accessKeySecret: token(24), securityToken: token(48) },
    edgePublisher: accessKey(),
    worker: { accessKeyId: `STS.worker${randomBytes(8).toString('hex')}`, accessKeySecret: token(24), securityToken: token(48) },
    operator: accessKey(),
    resendApiKey: `re_local_${token(18)}`,
    functionKey: token(24),
    embedQueryKey: token(24),
  };
}
