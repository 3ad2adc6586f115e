import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector, FaultSpecError } from './faults';
import type { FaultRule, FaultSpec } from './faults';

/** One request as an emulator route sees it: body already read. */
export interface EmulatorRequest {
  readonly method: string;
  readonly url: URL;
  /** The raw path as sent (before URL normalisation), e.g. for signature checks. */
  readonly rawPath: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly raw: IncomingMessage;
}

/** What a route answers. An object body is sent as JSON. */
export interface EmulatorResponse {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string | Buffer | object;
}

/** A matched route: the operation name (what faults match on) and its handler. */
export interface EmulatorRoute {
  readonly operation: string;
  handle(request: EmulatorRequest): Promise<EmulatorResponse> | EmulatorResponse;
}

/** A service emulator: routes requests and formats errors in the service's own shape. */
export interface EmulatorService {
  /** Name in logs, e.g. `oss-vectors`. */
  readonly name: string;
  /** The route for a request, or undefined for 404. */
  route(request: EmulatorRequest): EmulatorRoute | undefined;
  /** An error answer in the service's format, used for unknown routes, faults and crashes. */
  errorResponse(status: number, code: string, message: string, request: EmulatorRequest): EmulatorResponse;
}

/** Requests larger than this are refused before reading further (no emulated API takes more). */
const MAX_BODY_BYTES = 64 * 1024 * 1024;
const ADMIN_PREFIX = '/__admin/';

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        reject(new Error(`request body over ${MAX_BODY_BYTES} bytes`));
        req.destroy();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, response: EmulatorResponse): void {
  const headers: Record<string, string> = { ...response.headers };
  let body: Buffer | undefined;
  if (Buffer.isBuffer(response.body)) body = response.body;
  else if (typeof response.body === 'string') body = Buffer.from(response.body);
  else if (response.body !== undefined) {
    body = Buffer.from(JSON.stringify(response.body));
    headers['content-type'] ??= 'application/json';
  }
  headers['content-length'] = String(body?.length ?? 0);
  res.writeHead(response.status, headers);
  res.end(body);
}

/**
 * The admin path every emulator serves: `GET /__admin/faults` lists the rules, `POST` adds one
 * (a FaultSpec as JSON), `DELETE` clears them all, `DELETE /__admin/faults/<id>` removes one.
 */
function handleAdmin(faults: FaultInjector, request: EmulatorRequest): EmulatorResponse {
  const path = request.url.pathname;
  if (path === '/__admin/faults' && request.method === 'GET') return { status: 200, body: { faults: faults.list() } };
  if (path === '/__admin/faults' && request.method === 'POST') {
    try {
      const spec = JSON.parse(request.body.toString('utf8')) as FaultSpec;
      return { status: 201, body: faults.add(spec) };
    } catch (error) {
      const message = error instanceof FaultSpecError || error instanceof SyntaxError ? error.message : String(error);
      return { status: 400, body: { error: message } };
    }
  }
  if (path === '/__admin/faults' && request.method === 'DELETE') {
    faults.clear();
    return { status: 204 };
  }
  const one = /^\/__admin\/faults\/([\w-]+)$/u.exec(path);
  if (one && request.method === 'DELETE') {
    return faults.remove(one[1] ?? '') ? { status: 204 } : { status: 404, body: { error: 'no such fault' } };
  }
  return { status: 404, body: { error: `unknown admin path ${request.method} ${path}` } };
}

/**
 * The HTTP side every emulator shares: listens on 127.0.0.1 (a free port by default), reads the
 * body, applies faults by operation, serves `/__admin/faults`, and turns a crash of a route into
 * the service's own 500 error.
 */
export class EmulatorServer {
  readonly faults: FaultInjector;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(readonly service: EmulatorService, faults: FaultInjector = new FaultInjector()) {
    this.faults = faults;
  }

  /** Starts listening; returns the base URL, e.g. `http://127.0.0.1:41234`. */
  async start(port = 0): Promise<string> {
    // RPC APIs (Cloud Assistant) carry up to 24 KB of parameters in the query: raise Node's 16 KB limit.
    const server = createServer({ maxHeaderSize: 64 * 1024 }, (req, res) => void this.dispatch(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get port(): number {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error(`${this.service.name} emulator is not listening`);
    return address.port;
  }

  /** `host:port`, the form the Alibaba SDKs take as an endpoint. */
  get host(): string {
    return `127.0.0.1:${this.port}`;
  }

  get url(): string {
    return `http://${this.host}`;
  }

  async stop(): Promise<void> {
    for (const timer of this.timers) clearTimeout(timer);
    for (const socket of this.sockets) socket.destroy();
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const rawPath = req.url ?? '/';
    const url = new URL(rawPath, 'http://127.0.0.1');
    let request: EmulatorRequest | undefined;
    try {
      const body = await readBody(req);
      request = { method: req.method ?? 'GET', url, rawPath, headers: req.headers, body, raw: req };
      if (url.pathname.startsWith(ADMIN_PREFIX)) {
        send(res, handleAdmin(this.faults, request));
        return;
      }
      const route = this.service.route(request);
      if (!route) {
        send(res, this.service.errorResponse(404, 'NotFound', `no such operation: ${request.method} ${url.pathname}`, request));
        return;
      }
      const fault = this.faults.take(route.operation);
      if (fault) {
        this.applyFault(fault, request, res);
        return;
      }
      send(res, await route.handle(request));
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (!res.headersSent && request) send(res, this.service.errorResponse(500, 'InternalError', message, request));
      else res.destroy();
    }
  }

  private applyFault(fault: FaultRule, request: EmulatorRequest, res: ServerResponse): void {
    if (fault.kind === 'drop') {
      res.socket?.destroy();
      return;
    }
    if (fault.kind === 'hang') {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        res.socket?.destroy();
      }, fault.hangMs ?? 600_000);
      this.timers.add(timer);
      return;
    }
    const status = fault.status ?? 503;
    const code = fault.code ?? (status === 429 ? 'Throttling' : 'ServiceUnavailable');
    const answer = this.service.errorResponse(status, code, `fault injected: ${status} ${code}`, request);
    send(res, { ...answer, headers: { ...answer.headers, ...fault.headers } });
  }
}
