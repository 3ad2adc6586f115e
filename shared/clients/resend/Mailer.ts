import { setTimeout as sleepFor } from 'node:timers/promises';
import type { Resend } from 'resend';
import * as z from 'zod';
import { memo } from '../../fc';
import type { Logger } from '../../logging';
import { RetriesExhaustedError, retry } from '../../retry';
import type { RetryOptions } from '../../retry';
import {
  ResendQuotaExceededError,
  ResendRateLimitedError,
  ResendResponseError,
  ResendRetriesExhaustedError,
  ResendUnavailableError,
  classifyResendError,
  readRateLimit,
} from './errors';
import { createResendSdkClient, toSendPayload } from './sdk';
import { ResendRetryDefaults } from './types';
import type { MailMessage, MailerConfig, MailerRetrySettings, SendOptions, SentMail } from './types';

/** Test seams: a prebuilt SDK client, a logger, and the retry's clock, sleep and randomness. */
export interface MailerDependencies {
  readonly sdk?: Resend;
  readonly logger?: Logger;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly now?: () => number;
}

/** The success body of `POST /emails`: the new message's id. */
const SentMailSchema = z.object({ id: z.string().min(1) });

const OPERATION = 'resend.emails.send';

function isRetryable(error: unknown): boolean {
  return error instanceof ResendUnavailableError && !(error instanceof ResendQuotaExceededError);
}

/**
 * Sends e-mail through the official `resend` SDK. The SDK never throws and never retries: every
 * answer is `{data, error, headers}`, so each one is checked here. 429 `rate_limit_exceeded`, 5xx,
 * network failures and concurrent use of a key are retried with the same idempotency key, with
 * capped jittered backoff that honours `retry-after` / `ratelimit-reset`; everything else fails at
 * once with a typed error that carries Resend's error name.
 *
 * No custom fetch is needed for the throttling headers: since 6.4.0 the SDK returns the response
 * headers beside `error` (null only when no response arrived), which is all `retry-after` needs.
 *
 * The SDK client keeps the key in its own fields, so it sits in an ES private field: it cannot
 * reach a log line through `JSON.stringify` or `Object.entries` of the mailer.
 */
export class Mailer {
  readonly #sdk: Resend;
  readonly #apiKey: string;
  readonly #settings: MailerRetrySettings;
  readonly #dependencies: MailerDependencies;
  #pausedUntil = 0;

  constructor(config: MailerConfig, dependencies: MailerDependencies = {}) {
    this.#sdk = dependencies.sdk ?? createResendSdkClient(config);
    this.#apiKey = config.apiKey;
    this.#settings = { ...ResendRetryDefaults, ...config.retry };
    this.#dependencies = dependencies;
  }

  /** Sends one message; returns Resend's id. A replay of the same key and message returns the first id. */
  async send(message: MailMessage, options: SendOptions): Promise<SentMail> {
    const payload = toSendPayload(message);
    const sleep = this.#dependencies.sleep ?? ((ms: number, signal?: AbortSignal) => sleepFor(ms, undefined, signal ? { signal } : undefined));
    const retryOptions: RetryOptions = {
      ...this.#settings,
      operation: OPERATION,
      isRetryable,
      retryAfterMs: (error) => (error instanceof ResendRateLimitedError ? error.retryAfterMs : undefined),
      onRetry: ({ attempt, delayMs, error }) => this.#dependencies.logger?.warn('resend send retry', { attempt, delayMs, idempotencyKey: options.idempotencyKey, ...errorFields(error) }),
      sleep,
      ...(options.signal ? { signal: options.signal } : {}),
      ...(this.#dependencies.random ? { random: this.#dependencies.random } : {}),
    };
    try {
      return await retry(async () => {
        await this.#waitForWindow(sleep, options.signal);
        const result = await this.#sdk.emails.send(payload, { idempotencyKey: options.idempotencyKey, ...(options.signal ? { signal: options.signal } : {}) });
        this.#noteWindow(result.headers);
        if (result.error) throw classifyResendError(result.error, result.headers, OPERATION, this.#apiKey);
        const parsed = SentMailSchema.safeParse(result.data);
        if (!parsed.success) throw new ResendResponseError(`${OPERATION} answered without an id`, { details: { operation: OPERATION }, cause: parsed.error });
        return { id: parsed.data.id };
      }, retryOptions);
    } catch (error) {
      if (!(error instanceof RetriesExhaustedError)) throw error;
      const last = error.cause instanceof ResendUnavailableError ? error.cause : undefined;
      throw new ResendRetriesExhaustedError(error.message, {
        resendName: last?.resendName ?? 'application_error',
        status: last?.status ?? null,
        attempts: error.attempts,
        details: { operation: OPERATION, idempotencyKey: options.idempotencyKey },
        cause: error.cause,
      });
    }
  }

  /** After an answer that used up the window, waits for its reset before the next request. */
  async #waitForWindow(sleep: (ms: number, signal?: AbortSignal) => Promise<void>, signal?: AbortSignal): Promise<void> {
    const wait = Math.min(this.#pausedUntil - this.#now(), this.#settings.maxRetryAfterMs);
    if (wait > 0) await sleep(wait, signal);
  }

  #noteWindow(headers: Readonly<Record<string, string>> | null): void {
    const limits = readRateLimit(headers);
    if (limits.remaining === 0 && limits.resetMs !== undefined) this.#pausedUntil = this.#now() + limits.resetMs;
  }

  #now(): number {
    return (this.#dependencies.now ?? Date.now)();
  }
}

function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof ResendUnavailableError) return { resendName: error.resendName, status: error.status, reason: error.message };
  return { reason: error instanceof Error ? error.message : String(error) };
}

// FC keeps the instance between calls: the mailer is rebuilt only when its address or key change.
const cachedMailer = memo(
  (config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }) => `${config.RESEND_BASE_URL}|${config.RESEND_API_KEY}`,
  (config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }) => new Mailer({ apiKey: config.RESEND_API_KEY, ...(config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {}) }),
);

/** The Resend mailer; the key stays inside it. */
export function mailerFor(config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }): Mailer {
  return cachedMailer(config);
}
