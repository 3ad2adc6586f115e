import * as z from 'zod';
import type { Outbox } from '../resend';
import { DashboardRequestError } from './errors';
import { pageScriptHash } from './pageScript';
import { readState } from './readState';
import type { StateSources } from './readState';
import { renderPage } from './renderPage';
import { toPanels } from './toPanels';
import type { ApiState } from './types';

/** An answer of the dashboard, before it is written to the socket. */
export interface DashboardResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** What routing needs besides the request. */
export interface RouteContext extends StateSources {
  readonly outbox: Outbox;
  readonly pollIntervalMs: number;
}

const UuidSchema = z.uuid();
const EMAIL_PATH = /^\/emails\/([^/]+)$/u;
const COMMON = { 'cache-control': 'no-store', 'x-content-type-options': 'nosniff', 'referrer-policy': 'no-referrer' };
const PAGE_CSP = `default-src 'none'; style-src 'unsafe-inline'; script-src ${pageScriptHash}; connect-src 'self'; base-uri 'none'; form-action 'none'`;
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

async function readApiState(context: RouteContext, url: URL): Promise<ApiState> {
  const state = await readState(context, runParameter(url));
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
export async function routeRequest(context: RouteContext, method: string, target: string): Promise<DashboardResponse> {
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
