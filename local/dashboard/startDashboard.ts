import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as z from 'zod';
import { describeError } from '../../shared/errors';
import { Logger } from '../../shared/logging';
import { Outbox } from '../resend';
import { DashboardDefaults } from './constants';
import { DashboardOptionsError } from './errors';
import { routeRequest } from './routeRequest';
import type { RouteContext } from './routeRequest';
import type { Dashboard, DashboardOptions } from './types';

const OptionsSchema = z.object({
  sql: z.custom<DashboardOptions['sql']>((value) => typeof value === 'function', 'must be a postgres.js Sql'),
  outbox: z.union([z.instanceof(Outbox), z.string().min(1)]),
  port: z.number().int().min(0).max(65535).optional(),
  extra: z.custom<NonNullable<DashboardOptions['extra']>>((value) => typeof value === 'function', 'must be a function').optional(),
  pollIntervalMs: z.number().int().min(100).max(3_600_000).optional(),
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
 * Serves the local dashboard on 127.0.0.1: `GET /` (the page), `GET /api/state` (its data as JSON)
 * and `GET /emails/<id>` (one stored e-mail). Reads only; every query is small and bounded.
 */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  checkOptions(options);
  const logger = options.logger ?? new Logger({ fields: { component: 'dashboard' } });
  const outbox = typeof options.outbox === 'string' ? new Outbox(options.outbox) : options.outbox;
  const context: RouteContext = {
    sql: options.sql,
    outbox,
    pollIntervalMs: options.pollIntervalMs ?? DashboardDefaults.pollIntervalMs,
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
