export { Ledger } from './Ledger';
export type { ChunkResult } from './Ledger';
export { LedgerRefusedError, LedgerShapeError, LedgerUnavailableError } from './errors';
export { ChunkRowSchema, IndexRowSchema, RunRowSchema } from './row-schemas';
export type { ChunkRow, IndexRow, RunRow } from './row-schemas';
export { toLedgerError } from './toLedgerError';
