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
