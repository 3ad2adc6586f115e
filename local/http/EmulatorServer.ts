import { createServer } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultInjector } from '../faults';
import type { FaultRule } from '../faults';
import { handleAdmin } from './admin';
import type { EmulatorRequest, EmulatorResponse, EmulatorService } from './types';

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
