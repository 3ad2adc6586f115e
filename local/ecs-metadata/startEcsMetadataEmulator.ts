import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import { EcsMetadataOperations, EcsMetadataService } from './EcsMetadataService';
import type { EcsMetadataCall, EcsRoleCredential } from './EcsMetadataService';

/** Settings of a local ECS metadata service. */
export interface EcsMetadataEmulatorOptions {
  /** The RAM role attached to the "instance"; default `vector-sync-worker`. */
  readonly roleName?: string;
  /** The STS keys of the role; default example keys. */
  readonly credential?: EcsRoleCredential;
  /** Hardened mode: credentials only with a token from `PUT /latest/api/token`; default false. */
  readonly requireToken?: boolean;
  /** false: an old service with no token API (the PUT answers 404); default true. */
  readonly tokenApi?: boolean;
  /** The next N credential requests answer 500; default 0. */
  readonly failCredentialRequests?: number;
  /** The next N token requests answer 500; default 0. */
  readonly failTokenRequests?: number;
  /** The `Code` of the credentials answer; default `Success`. */
  readonly code?: string;
  readonly port?: number;
  /** The emulator's clock (token lifetimes, default expiration); default `Date.now`. */
  readonly now?: () => number;
}

/** A running local metadata service and the handles tests read. */
export interface EcsMetadataEmulator {
  readonly server: EmulatorServer;
  /** `http://127.0.0.1:<port>`: the worker's ECS_METADATA_ENDPOINT. */
  readonly endpoint: string;
  readonly roleName: string;
  readonly credential: EcsRoleCredential;
  readonly faults: FaultInjector;
  /** Every request seen, in order. */
  readonly calls: readonly EcsMetadataCall[];
  /** Hands out new keys from now on. */
  setCredential(credential: EcsRoleCredential): void;
  close(): Promise<void>;
}

/** Defaults of the emulator: example values only. */
export const EcsMetadataEmulatorDefaults = {
  roleName: 'vector-sync-worker',
  credential: { accessKeyId: 'STS.ExampleRoleKeyId', accessKeySecret: 'example-role-secret', securityToken: 'example-role-security-token' },
} as const;

/** Starts the ECS metadata emulator on 127.0.0.1 (a free port unless given). */
export async function startEcsMetadataEmulator(options: EcsMetadataEmulatorOptions = {}): Promise<EcsMetadataEmulator> {
  const roleName = options.roleName ?? EcsMetadataEmulatorDefaults.roleName;
  const service = new EcsMetadataService({
    roleName,
    credential: options.credential ?? EcsMetadataEmulatorDefaults.credential,
    requireToken: options.requireToken ?? false,
    tokenApi: options.tokenApi ?? true,
    code: options.code ?? 'Success',
    now: options.now ?? Date.now,
  });
  const faults = new FaultInjector();
  if ((options.failCredentialRequests ?? 0) > 0) {
    faults.add({ operation: EcsMetadataOperations.getRoleCredentials, kind: 'status', status: 500, code: 'InternalError', count: options.failCredentialRequests });
  }
  if ((options.failTokenRequests ?? 0) > 0) {
    faults.add({ operation: EcsMetadataOperations.getToken, kind: 'status', status: 500, code: 'InternalError', count: options.failTokenRequests });
  }
  const server = new EmulatorServer(service, faults);
  await server.start(options.port ?? 0);
  return {
    server,
    endpoint: server.url,
    roleName,
    get credential() {
      return service.credential;
    },
    faults,
    calls: service.calls,
    setCredential: (credential) => service.setCredential(credential),
    close: () => server.stop(),
  };
}
