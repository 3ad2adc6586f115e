import type { EmulatorRequest } from '../http';
import type { ApiKeyPermissions } from './constants';
import type { IdempotencyCache } from './IdempotencyCache';
import type { Outbox } from './Outbox';

/** What an API key may do. */
export type ApiKeyPermission = (typeof ApiKeyPermissions)[keyof typeof ApiKeyPermissions];

/** A key the emulator accepts. */
export interface ApiKeyGrant {
  readonly key: string;
  readonly permission: ApiKeyPermission;
}

/** A message that passed validation, before it gets an id. */
export interface AcceptedEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[] | null;
  readonly bcc: readonly string[] | null;
  readonly replyTo: readonly string[] | null;
  readonly subject: string;
  readonly html: string | null;
  readonly text: string | null;
  readonly tags: readonly { readonly name: string; readonly value: string }[];
  readonly headers: Readonly<Record<string, string>> | null;
  readonly scheduledAt: string | null;
  readonly attachments: readonly { readonly filename: string | null; readonly contentType: string | null; readonly bytes: number | null }[];
}

/** An answer kept for an idempotency key: replayed as is. */
export interface StoredAnswer {
  readonly status: number;
  readonly body: object;
}

/** The state of one rate window after a request was counted. */
export interface RateState {
  readonly allowed: boolean;
  readonly limit: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
}

/** What an operation needs besides the request. */
export interface RequestContext {
  readonly request: EmulatorRequest;
  readonly grant: ApiKeyGrant;
  readonly outbox: Outbox;
  readonly idempotency: IdempotencyCache;
  readonly now: () => number;
}
