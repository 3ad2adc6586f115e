import { checkVector } from './checkVector';
import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options-schema';
import type { IndexShape, VectorInput } from './types';

/** Throws the first reason OSS would refuse this PutVectors batch for (one bad vector fails it all). */
export function checkPutBatch(vectors: readonly VectorInput[], shape: IndexShape, limits: OssVectorsLimits): void {
  if (vectors.length === 0) throw new OssVectorsValidationError(ValidationReasons.EmptyBatch, 'PutVectors needs at least one vector');
  if (vectors.length > limits.maxVectorsPerPut) {
    throw new OssVectorsValidationError(ValidationReasons.TooManyVectors, `PutVectors takes at most ${limits.maxVectorsPerPut} vectors; got ${vectors.length}`);
  }
  const seen = new Set<string>();
  for (const vector of vectors) {
    if (seen.has(vector.key)) throw new OssVectorsValidationError(ValidationReasons.DuplicateKey, `key ${vector.key} appears twice in one PutVectors batch`, vector.key);
    seen.add(vector.key);
    const refusal = checkVector(vector, shape, limits);
    if (refusal) throw refusal;
  }
}
