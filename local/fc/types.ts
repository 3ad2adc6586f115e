import type { FcCredentials } from '../../shared/fc';

/** One function as the local runtime runs it (the fc3 props that matter here). */
export interface LocalFunctionSpec {
  readonly name: string;
  /** Folder of the built code, e.g. dist/functions/validate. */
  readonly codeDir: string;
  /** `file.export`, default `index.handler`. */
  readonly handler?: string;
  /** MB; caps the instance's V8 heap. Default 512 (fc3's default). */
  readonly memory?: number;
  /** Seconds; default 3 (fc3's default). */
  readonly timeout?: number;
  readonly environment?: Readonly<Record<string, string>>;
  readonly region?: string;
  readonly accountId?: string;
  /** STS keys of the function role, handed over in the context. */
  readonly credentials?: FcCredentials;
  /** Instances kept at most; more concurrent calls wait. Default 4. */
  readonly maxInstances?: number;
}

/** The error body FC returns when a handler throws, times out or its process dies. */
export interface FcErrorBody {
  readonly errorMessage: string;
  readonly errorType?: string;
  readonly stackTrace?: readonly string[];
}

/** The outcome of one invocation, with what FC would put in the response. */
export type LocalInvokeResult =
  | {
      readonly ok: true;
      readonly requestId: string;
      readonly durationMs: number;
      /** The response body: a string/Buffer as returned, anything else as JSON. */
      readonly body: Buffer;
      readonly logs: readonly string[];
    }
  | {
      readonly ok: false;
      readonly requestId: string;
      readonly durationMs: number;
      /** The `x-fc-error-type` header. */
      readonly errorHeader: 'UnhandledInvocationError';
      readonly error: FcErrorBody;
      readonly body: Buffer;
      readonly logs: readonly string[];
    };

/** Options of one call. */
export interface LocalInvokeOptions {
  readonly requestId?: string;
}

/** Messages between the runtime and an instance process. */
export type HostRequest = {
  readonly kind: 'invoke';
  readonly requestId: string;
  readonly event: Uint8Array;
  readonly context: Record<string, unknown>;
};
export type HostReply =
  | { readonly kind: 'ready' }
  | { readonly kind: 'init-error'; readonly error: FcErrorBody }
  | { readonly kind: 'result'; readonly requestId: string; readonly body: Uint8Array }
  | { readonly kind: 'error'; readonly requestId: string; readonly error: FcErrorBody };
