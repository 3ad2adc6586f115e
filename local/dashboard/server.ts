import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { describeError, PermanentError } from '../../shared/errors';
import { Logger } from '../../shared/logging';
import { Outbox } from '../resend';
import { pageScriptHash, renderPage } from './page';
import { toPanels } from './panels';
import { readState, WholeTableCache } from './state';
import type { StateSources } from './state';
import { DashboardDefaults } from './types';
import type { ApiState, Dashboard, DashboardOptions } from './types';

/** Base of the dashboard errors. */
class DashboardError extends PermanentError {}

/** `startDashboard` was given options it cannot use; `details.option` names the bad one. */
export class DashboardOptionsError extends DashboardError {}

/** A request the dashboard refuses (e.g. `?run=` that is not a UUID); answered with `status`. */
class DashboardRequestError extends DashboardError {
  readonly status: number;

  constructor(message: string, status = 400) {
    super(message, { details: { status } });
    this.status = status;
  }
}

/** An answer of the dashboard, before it is written to the socket. */
interface DashboardResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What routing needs besides the request. */
interface RouteContext extends StateSources {
  readonly outbox: Outbox;
  readonly pollIntervalMs: number;
}

const UuidSchema = z.uuid();
const EMAIL_PATH = /^\/emails\/([^/]+)$/u;
const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
// form-action 'self': the document lookup is a GET form to this page.
const PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src ${pageScriptHash}; connect-src 'self'; base-uri 'none'; form-action 'self'`;
// Stored e-mails are someone else's HTML: no scripts, no requests, shown in a sandbox.
const EMAIL_CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox";

function text(status: number, message: string): DashboardResponse {
  return { status, headers: { ...COMMON, 'content-type': 'text/plain; charset=utf-8' }, body: `${message}\n` };
}

function runParameter(url: URL): string | undefined {
  const run = url.searchParams.get('run');
  if (run === null || run === '') return undefined;
  if (!UuidSchema.safeParse(run).success) throw new DashboardRequestError(`run must be a UUID, got ${JSON.stringify(run.slice(0, 80))}`);
  return run;
}

/** The ledger keeps document ids of 1 to 1,024 UTF-8 bytes (the OSS Vectors key limit). */
const MAX_DOCUMENT_ID_BYTES = 1024;

function documentParameter(url: URL): string | undefined {
  const id = url.searchParams.get('document');
  if (id === null || id.trim() === '') return undefined;
  if (Buffer.byteLength(id, 'utf8') > MAX_DOCUMENT_ID_BYTES) throw new DashboardRequestError(`document must be at most ${MAX_DOCUMENT_ID_BYTES} bytes, got ${Buffer.byteLength(id, 'utf8')}`);
  return id.trim();
}

async function readApiState(context: RouteContext, url: URL): Promise<ApiState> {
  const runId = runParameter(url);
  const documentId = documentParameter(url);
  const state = await readState(context, { ...(runId === undefined ? {} : { runId }), ...(documentId === undefined ? {} : { documentId }) });
  return { ...state, panels: toPanels(state) };
}

function emailId(segment: string): string | undefined {
  let id: string;
  try {
    id = decodeURIComponent(segment);
  } catch {
    return undefined;
  }
  return UuidSchema.safeParse(id).success ? id : undefined;
}

/** Answers one GET: the page, the state as JSON, or one stored e-mail; anything else is 404. */
async function routeRequest(context: RouteContext, method: string, target: string): Promise<DashboardResponse> {
  if (method !== 'GET' && method !== 'HEAD') {
    const refused = text(405, 'method not allowed');
    return { ...refused, headers: { ...refused.headers, allow: 'GET, HEAD' } };
  }
  const url = new URL(target, 'http://127.0.0.1');
  try {
    if (url.pathname === '/') {
      const state = await readApiState(context, url);
      return { status: 200, headers: { ...COMMON, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': PAGE_CSP }, body: renderPage(state, state.panels, context.pollIntervalMs) };
    }
    if (url.pathname === '/api/state') {
      return { status: 200, headers: { ...COMMON, 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(await readApiState(context, url)) };
    }
    const match = EMAIL_PATH.exec(url.pathname);
    if (match?.[1] !== undefined) {
      const id = emailId(match[1]);
      const entry = id === undefined ? undefined : await context.outbox.read(id);
      if (entry === undefined) return text(404, 'no such e-mail');
      return { status: 200, headers: { ...COMMON, 'content-type': 'text/html; charset=utf-8', 'content-security-policy': EMAIL_CSP }, body: entry.html };
    }
    return text(404, 'not found');
  } catch (error) {
    if (error instanceof DashboardRequestError) return text(error.status, error.message);
    throw error;
  }
}

const OptionsSchema = z.object({
  sql: z.custom<DashboardOptions['sql']>((value) => typeof value === 'function', 'must be a postgres.js Sql'),
  outbox: z.union([z.instanceof(Outbox), z.string().min(1)]),
  port: z.number().int().min(0).max(65535).optional(),
  extra: z.custom<NonNullable<DashboardOptions['extra']>>((value) => typeof value === 'function', 'must be a function').optional(),
  pollIntervalMs: z.number().int().min(100).max(3_600_000).optional(),
  healthRefreshMs: z.number().int().min(0).max(3_600_000).optional(),
});

function checkOptions(options: DashboardOptions): void {
  const parsed = OptionsSchema.safeParse(options);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  const option = String(issue?.path[0] ?? 'options');
  throw new DashboardOptionsError(`startDashboard: ${option} ${issue?.message ?? 'is invalid'}`, { details: { option }, cause: parsed.error });
}

async function serve(context: RouteContext, logger: Logger, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const method = req.method ?? 'GET';
  try {
    const answer = await routeRequest(context, method, req.url ?? '/');
    const body = Buffer.from(answer.body);
    res.writeHead(answer.status, { ...answer.headers, 'content-length': String(body.length) });
    res.end(method === 'HEAD' ? undefined : body);
  } catch (error) {
    logger.error('dashboard request failed', { method, path: req.url, error: describeError(error) });
    if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' });
    res.end('internal error\n');
  }
}

/**
 * Serves the local dashboard on 127.0.0.1: `GET /` (the page; `?run=<uuid>` picks the run whose
 * chunks are shown, `?document=<id>` looks a document up), `GET /api/state` (its data as JSON,
 * with the same parameters) and `GET /emails/<id>` (one stored e-mail). Reads only; every query is
 * bounded.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  checkOptions(options);
  const logger = options.logger ?? new Logger({ fields: { component: 'dashboard' } });
  const outbox = typeof options.outbox === 'string' ? new Outbox(options.outbox) : options.outbox;
  const context: RouteContext = {
    sql: options.sql,
    outbox,
    pollIntervalMs: options.pollIntervalMs ?? DashboardDefaults.pollIntervalMs,
    wholeTable: new WholeTableCache(options.healthRefreshMs ?? DashboardDefaults.healthRefreshMs),
    ...(options.extra === undefined ? {} : { extra: options.extra }),
  };
  const server = createServer((req, res) => void serve(context, logger, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, DashboardDefaults.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const url = `http://${DashboardDefaults.host}:${port}/`;
  logger.info('dashboard listening', { url });
  let closed: Promise<void> | undefined;
  return {
    url,
    close() {
      closed ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Browsers keep connections open; without this close() would wait for them.
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
