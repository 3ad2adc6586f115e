// What FC hands a handler (its context and the function role's keys), and the per-instance cache
// that lets a handler build each client once per instance.
import { ConfigError } from './config';

/** STS keys of the function role, as FC 3.0 puts them in the context. */
export interface FcCredentials {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
}

/** The FC runtime's own logger on the context. */
export interface FcLogger {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
  log(...args: unknown[]): void;
}

/** The context FC 3.0 passes to a nodejs20 handler (no getRemainingTimeInMillis). */
export interface FcContext {
  readonly requestId: string;
  readonly credentials: FcCredentials;
  readonly function: { readonly name: string; readonly handler: string; readonly memory: number; readonly timeout: number };
  readonly region: string;
  readonly accountId: string;
  readonly logger: FcLogger;
  readonly service?: { readonly name?: string; readonly qualifier?: string; readonly versionId?: string };
}

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

/**
 * A per-instance cache of one client. FC keeps an instance (and its module scope) between calls,
 * so clients are built once; `keyOf` names whatever must rebuild the client (an STS rotation
 * changes the access key id, so the key includes it, and the stale client is dropped).
 */
export function memo<A, T>(keyOf: (input: A) => string, build: (input: A) => T): (input: A) => T {
  let current: { key: string; value: T } | undefined;
  return function cached(input: A): T {
    const key = keyOf(input);
    if (current?.key !== key) current = { key, value: build(input) };
    return current.value;
  };
}
