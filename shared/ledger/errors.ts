import { PermanentError, TransientError } from '../errors.ts';

/** The ledger refused a move: unknown row (P0002), wrong state (55000), bad argument (22023) or a reused key (42710). */
export class LedgerRefusedError extends PermanentError {}

/** The ledger could not be reached or the statement failed in a way worth retrying. */
export class LedgerUnavailableError extends TransientError {}

/** A row came back in a shape the code does not know (a migration and the code disagree). */
export class LedgerShapeError extends PermanentError {}

const REFUSALS = new Set(['P0002', '55000', '22023', '42710', '23505', '23503', '23514']);
// Serialization failures, deadlocks, lock timeouts, admin shutdowns and connection errors.
const TRANSIENT = /^(40001|40P01|55P03|57P0[1-3]|08\d{3}|53\d{3})$/u;

/** Sorts an error from postgres.js into refused (permanent) or unavailable (transient). */
export function toLedgerError(operation: string, error: unknown): Error {
  const code = typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : '';
  const message = error instanceof Error ? error.message : String(error);
  if (REFUSALS.has(code)) return new LedgerRefusedError(`${operation}: ${message}`, { code, cause: error, details: { operation } });
  if (TRANSIENT.test(code) || /ECONNREFUSED|ECONNRESET|CONNECT_TIMEOUT|CONNECTION_/u.test(`${code} ${message}`)) {
    return new LedgerUnavailableError(`${operation}: ${message}`, { code: code || 'NetworkError', cause: error, details: { operation } });
  }
  return new LedgerRefusedError(`${operation}: ${message}`, { code: code || 'LedgerError', cause: error, details: { operation } });
}
