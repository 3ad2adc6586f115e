import { PermanentError } from '../../shared/errors';

/** A row read from Postgres does not have the shape the worker expects (a migration and the code disagree). */
export class EmbeddingRowError extends PermanentError {}
