import { createServer, request as httpRequest } from 'node:http';
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { LocalSupabaseDefaults } from './constants';

/** Where the gateway finds a function: its port and whether its process is up. */
export interface EdgeRoute {
  readonly port: number;
  readonly running: boolean;
}

function sendJson(res: ServerResponse, status: number, body: Readonly<Record<string, unknown>>): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
  res.end(text);
}

/**
 * The `/functions/v1/<name>` front of the edge runtime, as Supabase's API gateway: forwards any
 * method with its headers and body to the function's process as `/<name>/<rest>` (the path a
 * function sees on Supabase) and streams the answer back. 404 for an unknown function, 503 when
 * its process is down. It does not verify JWTs: the functions check their own bearer key.
 */
export class EdgeGateway {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  /** `lookup` answers undefined for a name that is not a function, `running: false` while it is down. */
  constructor(private readonly lookup: (name: string) => EdgeRoute | undefined) {}

  /** Starts listening on 127.0.0.1; returns the base URL, e.g. `http://127.0.0.1:54321`. */
  async start(port = 0): Promise<string> {
    const server = createServer((req, res) => this.forward(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, LocalSupabaseDefaults.host, () => resolve());
    });
    this.server = server;
    return this.url;
  }

  get url(): string {
    const address = this.server?.address() as AddressInfo | null | undefined;
    if (!address) throw new Error('edge gateway is not listening');
    return `http://${LocalSupabaseDefaults.host}:${address.port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const socket of this.sockets) socket.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://gateway');
    const prefix = LocalSupabaseDefaults.functionsPath;
    const rest = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : undefined;
    const name = rest?.split('/')[0] ?? '';
    const route = name === '' ? undefined : this.lookup(name);
    if (rest === undefined || !route) {
      req.resume();
      sendJson(res, 404, { code: 'NOT_FOUND', message: 'Requested function was not found', name: name || null });
      return;
    }
    if (!route.running) {
      req.resume();
      sendJson(res, 503, { code: 'FUNCTION_UNAVAILABLE', message: `edge function ${name} is not running`, name });
      return;
    }
    const upstream = httpRequest({ host: LocalSupabaseDefaults.host, port: route.port, method: req.method, path: `/${rest}${url.search}`, headers: req.headers });
    upstream.on('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, answer.headers);
      answer.pipe(res);
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', (error) => {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      const down = !route.running || (error as NodeJS.ErrnoException).code === 'ECONNREFUSED';
      sendJson(res, down ? 503 : 502, { code: down ? 'FUNCTION_UNAVAILABLE' : 'BAD_GATEWAY', message: `edge function ${name}: ${error.message}`, name });
    });
    // A caller that goes away must not leave the function's request hanging.
    res.on('close', () => {
      if (!res.writableFinished) upstream.destroy();
    });
    req.pipe(upstream);
  }
}
