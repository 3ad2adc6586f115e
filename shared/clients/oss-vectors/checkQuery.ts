import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options-schema';
import type { IndexShape, VectorFilter } from './types';

/** The parts of a QueryVectors call the client checks. */
export interface QueryCheckInput {
  readonly queryVector: readonly number[] | Float32Array;
  readonly topK: number;
  readonly filter?: VectorFilter;
}

/** Throws when a query would be refused: topK range, query dimension and values, filter size. */
export function checkQuery(input: QueryCheckInput, shape: IndexShape, limits: OssVectorsLimits): void {
  if (!Number.isInteger(input.topK) || input.topK < 1 || input.topK > limits.maxTopK) {
    throw new OssVectorsValidationError(ValidationReasons.InvalidTopK, `topK ${input.topK} is outside 1..${limits.maxTopK}`);
  }
  if (input.queryVector.length !== shape.dimension) {
    throw new OssVectorsValidationError(ValidationReasons.DimensionMismatch, `query vector has ${input.queryVector.length} values; the index takes ${shape.dimension}`);
  }
  if (!Array.from(input.queryVector).every((value) => Number.isFinite(value))) {
    throw new OssVectorsValidationError(ValidationReasons.NonFiniteValue, 'query vector has a non-finite value');
  }
  if (input.filter !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(input.filter));
    if (bytes > limits.maxFilterBytes) throw new OssVectorsValidationError(ValidationReasons.FilterTooLarge, `filter is ${bytes} bytes; at most ${limits.maxFilterBytes}`);
  }
}
