import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { FaultInjector } from './faults';
import { EmulatorServer } from './http';
import type { EmulatorRequest, EmulatorResponse, EmulatorRoute, EmulatorService } from './http';

/** Operation names (what faults match on). */
const EcsMetadataOperations = {
  getToken: 'GetMetadataToken',
  listRoles: 'ListRoles',
  getRoleCredentials: 'GetRoleCredentials',
} as const;

/** The STS keys the emulator hands out for its role. */
export interface EcsRoleCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  readonly securityToken: string;
  /** ISO UTC; default one hour after the request. */
  readonly expiration?: string;
}

/** One request the emulator saw (no secrets: whether a token came, not which). */
export interface EcsMetadataCall {
  readonly operation: string;
  readonly method: string;
  readonly path: string;
  readonly withToken: boolean;
  readonly status: number;
}

/** What the service works with. */
interface EcsMetadataServiceOptions {
  readonly roleName: string;
  credential: EcsRoleCredential;
  /** Hardened mode: credentials only with a valid metadata token. */
  readonly requireToken: boolean;
  /** false: an old service without the token API (the PUT answers 404). */
  readonly tokenApi: boolean;
  /** The `Code` field of the credentials answer. */
  readonly code: string;
  readonly now: () => number;
}

const TOKEN_PATH = '/latest/api/token';
const ROLES_PATH = '/latest/meta-data/ram/security-credentials';
const TTL_HEADER = 'x-aliyun-ecs-metadata-token-ttl-seconds';
const TOKEN_HEADER = 'x-aliyun-ecs-metadata-token';
const MAX_TTL_SECONDS = 21_600;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function text(status: number, body: string): EmulatorResponse {
  return { status, headers: { 'content-type': 'text/plain' }, body };
}

/**
 * The part of the ECS instance metadata service the worker uses: `PUT /latest/api/token`
 * (hardened mode) and `GET /latest/meta-data/ram/security-credentials/[<role>]`, for one role.
 */
class EcsMetadataService implements EmulatorService {
  readonly name = 'ecs-metadata';
  readonly calls: EcsMetadataCall[] = [];
  private readonly tokens = new Map<string, number>();

  constructor(private readonly options: EcsMetadataServiceOptions) {}

  route(request: EmulatorRequest): EmulatorRoute | undefined {
    const path = request.url.pathname;
    const method = request.method.toUpperCase();
    if (path === TOKEN_PATH) {
      return { operation: EcsMetadataOperations.getToken, handle: (req) => this.record(req, EcsMetadataOperations.getToken, method === 'PUT' ? this.issueToken(req) : text(405, 'Method Not Allowed')) };
    }
    if (path === ROLES_PATH || path === `${ROLES_PATH}/`) {
      return { operation: EcsMetadataOperations.listRoles, handle: (req) => this.record(req, EcsMetadataOperations.listRoles, this.authorized(req, method) ?? text(200, this.options.roleName)) };
    }
    if (path.startsWith(`${ROLES_PATH}/`)) {
      const role = decodeURIComponent(path.slice(ROLES_PATH.length + 1).replace(/\/+$/u, ''));
      return { operation: EcsMetadataOperations.getRoleCredentials, handle: (req) => this.record(req, EcsMetadataOperations.getRoleCredentials, this.authorized(req, method) ?? this.credentials(role)) };
    }
    return undefined;
  }

  errorResponse(status: number, code: string, message: string, request?: EmulatorRequest): EmulatorResponse {
    const answer = text(status, `${code}: ${message}`);
    if (request) this.record(request, 'error', answer);
    return answer;
  }

  /** The keys handed out now. */
  get credential(): EcsRoleCredential {
    return this.options.credential;
  }

  /** Hands out new keys from now on (rotation). */
  setCredential(credential: EcsRoleCredential): void {
    this.options.credential = credential;
  }

  private record(request: EmulatorRequest, operation: string, answer: EmulatorResponse): EmulatorResponse {
    this.calls.push({ operation, method: request.method.toUpperCase(), path: request.url.pathname, withToken: header(request.headers, TOKEN_HEADER) !== undefined, status: answer.status });
    return answer;
  }

  private issueToken(request: EmulatorRequest): EmulatorResponse {
    if (!this.options.tokenApi) return text(404, 'Not Found');
    const ttl = header(request.headers, TTL_HEADER);
    if (ttl === undefined || !/^\d+$/u.test(ttl) || Number(ttl) < 1 || Number(ttl) > MAX_TTL_SECONDS) {
      return text(400, `${TTL_HEADER} must be a whole number of seconds from 1 to ${MAX_TTL_SECONDS}`);
    }
    const token = randomUUID();
    this.tokens.set(token, this.options.now() + Number(ttl) * 1000);
    return text(200, token);
  }

  /** A refusal, or undefined when the request may read metadata. */
  private authorized(request: EmulatorRequest, method: string): EmulatorResponse | undefined {
    if (method !== 'GET') return text(405, 'Method Not Allowed');
    const token = header(request.headers, TOKEN_HEADER);
    if (token === undefined) return this.options.requireToken ? text(401, 'Unauthorized: a metadata token is required') : undefined;
    const expires = this.tokens.get(token);
    if (expires === undefined || expires <= this.options.now()) return text(401, 'Unauthorized: the metadata token is unknown or expired');
    return undefined;
  }

  private credentials(role: string): EmulatorResponse {
    if (role !== this.options.roleName) return text(404, 'Not Found');
    const { credential, code, now } = this.options;
    const at = new Date(now());
    return {
      status: 200,
      body: {
        AccessKeyId: credential.accessKeyId,
        AccessKeySecret: credential.accessKeySecret,
        SecurityToken: credential.securityToken,
        Expiration: credential.expiration ?? new Date(now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/u, 'Z'),
        Code: code,
        LastUpdated: at.toISOString().replace(/\.\d{3}Z$/u, 'Z'),
      },
    };
  }
}

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
const EcsMetadataEmulatorDefaults = {
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
