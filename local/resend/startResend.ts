import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FaultInjector } from '../faults';
import { EmulatorServer } from '../http';
import { IdempotencyCache, RateWindow } from './admission';
import { ApiKeyPermissions, ResendEmulatorDefaults, ResendEmulatorLimits } from './constants';
import type { ApiKeyGrant } from './constants';
import { ResendEmulatorConfigError } from './errors';
import { Outbox } from './Outbox';
import { ResendService } from './ResendService';

/** Settings of a local Resend. */
export interface ResendEmulatorOptions {
  /** Keys accepted; default one full-access key, `ResendEmulatorDefaults.apiKey`. */
  readonly apiKeys?: readonly ApiKeyGrant[];
  /** Requests per second across all keys (Resend's limit is per team); 0 turns the limit off; default 5. */
  readonly ratePerSecond?: number;
  /** Where messages land; default a new folder under the system temp folder. */
  readonly outboxDirectory?: string;
  readonly port?: number;
  /** The emulator's clock (rate windows, idempotency expiry, created_at); default `Date.now`. */
  readonly now?: () => number;
}

/** A running local Resend and the handles tests read. */
export interface ResendEmulator {
  readonly server: EmulatorServer;
  /** `http://127.0.0.1:<port>`: the SDK's `baseUrl` (no trailing slash). */
  readonly baseUrl: string;
  /** The first key, for clients. */
  readonly apiKey: string;
  readonly outboxPath: string;
  /** Reads what was sent. */
  readonly outbox: Outbox;
  readonly faults: FaultInjector;
  close(): Promise<void>;
}

/** Starts the Resend emulator on 127.0.0.1 with its outbox folder created. */
export async function startResend(options: ResendEmulatorOptions = {}): Promise<ResendEmulator> {
  const grants = options.apiKeys ?? [{ key: ResendEmulatorDefaults.apiKey, permission: ApiKeyPermissions.fullAccess }];
  const first = grants[0];
  if (!first) throw new ResendEmulatorConfigError('the Resend emulator needs at least one API key');
  if (grants.some((grant) => grant.key.trim() === '' || /\s/u.test(grant.key))) throw new ResendEmulatorConfigError('a Resend API key is empty or contains spaces');
  const rate = options.ratePerSecond ?? ResendEmulatorDefaults.ratePerSecond;
  if (!Number.isInteger(rate) || rate < 0) throw new ResendEmulatorConfigError(`the Resend rate limit ${String(rate)} is not a whole number of requests per second`);
  const now = options.now ?? Date.now;
  const outbox = new Outbox(options.outboxDirectory ?? (await mkdtemp(join(tmpdir(), 'resend-outbox-'))));
  await outbox.open();
  const service = new ResendService({
    grants,
    outbox,
    idempotency: new IdempotencyCache(ResendEmulatorLimits.idempotencyTtlMs, now),
    ...(rate > 0 ? { rateWindow: new RateWindow(rate, now) } : {}),
    now,
  });
  const faults = new FaultInjector();
  const server = new EmulatorServer(service, faults);
  await server.start(options.port ?? 0);
  return { server, baseUrl: server.url, apiKey: first.key, outboxPath: outbox.directory, outbox, faults, close: () => server.stop() };
}
