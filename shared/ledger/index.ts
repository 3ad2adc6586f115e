export { Ledger, ledgerFor } from './Ledger';
export type { ParkedFailureRecord } from './Ledger';
export { createSql } from './connection';
export type { SqlOptions } from './connection';
export { LedgerRefusedError, LedgerShapeError, LedgerUnavailableError } from './errors';
export { DocumentStatuses, DocumentStatusRowSchema, IndexHealthSchema } from './health';
export type { DocumentStatus, DocumentStatusCounts, DocumentStatusName, IndexHealth } from './health';
export { ChunkRowSchema, IndexRowSchema, ReportDisposition, RunRowSchema } from './rows';
export type { ChunkPlan, ChunkRow, DigestRow, DigestRunRow, IndexRow, IndexStats, ParkedEvent, RejectionGroup, ReportSettlement, RunRow } from './rows';
