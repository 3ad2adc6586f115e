// What OSS Vectors would refuse, found before sending: one vector, a PutVectors batch, a query.
import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options';
import type { IndexShape, VectorFilter, VectorInput } from './types';

function checkMetadata(vector: VectorInput, shape: IndexShape, limits: OssVectorsLimits): OssVectorsValidationError | undefined {
  const metadata = vector.metadata;
  if (metadata === undefined) return undefined;
  const entries = Object.entries(metadata);
  if (entries.length > limits.maxMetadataKeys) {
    return new OssVectorsValidationError(ValidationReasons.TooManyMetadataKeys, `vector ${vector.key} has ${entries.length} metadata keys; at most ${limits.maxMetadataKeys}`, vector.key);
  }
  for (const [name, value] of entries) {
    const ok = typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) return new OssVectorsValidationError(ValidationReasons.InvalidMetadataValue, `metadata ${name} of vector ${vector.key} is not a string or string array`, vector.key);
  }
  const bytes = Buffer.byteLength(JSON.stringify(metadata));
  if (bytes > limits.maxMetadataBytes) {
    return new OssVectorsValidationError(ValidationReasons.MetadataTooLarge, `metadata of vector ${vector.key} is ${bytes} bytes; at most ${limits.maxMetadataBytes}`, vector.key);
  }
  const nonFilterable = new Set(shape.nonFilterableMetadataKeys ?? []);
  const filterable = Object.fromEntries(entries.filter(([name]) => !nonFilterable.has(name)));
  const filterableBytes = Buffer.byteLength(JSON.stringify(filterable));
  if (filterableBytes > limits.maxFilterableMetadataBytes) {
    return new OssVectorsValidationError(ValidationReasons.MetadataTooLarge, `filterable metadata of vector ${vector.key} is ${filterableBytes} bytes; at most ${limits.maxFilterableMetadataBytes}`, vector.key);
  }
  return undefined;
}

/**
 * Checks one vector against the index and the limits; returns the refusal instead of throwing so
 * a caller can park bad vectors and send the rest.
 */
export function checkVector(vector: VectorInput, shape: IndexShape, limits: OssVectorsLimits): OssVectorsValidationError | undefined {
  const keyBytes = typeof vector.key === 'string' ? Buffer.byteLength(vector.key) : 0;
  if (keyBytes < 1 || keyBytes > limits.maxKeyBytes) {
    return new OssVectorsValidationError(ValidationReasons.InvalidKey, `vector key is ${keyBytes} bytes; it must be 1..${limits.maxKeyBytes}`, String(vector.key));
  }
  if (vector.data.length !== shape.dimension) {
    return new OssVectorsValidationError(ValidationReasons.DimensionMismatch, `vector ${vector.key} has ${vector.data.length} values; the index takes ${shape.dimension}`, vector.key);
  }
  let zero = true;
  for (let i = 0; i < vector.data.length; i += 1) {
    const value = vector.data[i] as number;
    // Checked as the index stores it (float32): 1e39 becomes Infinity, 1e-46 becomes 0.
    const stored = typeof value === 'number' ? Math.fround(value) : Number.NaN;
    if (!Number.isFinite(stored)) {
      return new OssVectorsValidationError(ValidationReasons.NonFiniteValue, `vector ${vector.key} has a value at ${i} that is not a finite float32 (${String(value)})`, vector.key);
    }
    if (stored !== 0) zero = false;
  }
  if (zero && shape.distanceMetric === 'cosine') {
    return new OssVectorsValidationError(ValidationReasons.ZeroVectorOnCosine, `vector ${vector.key} is all zeros, which a cosine index refuses`, vector.key);
  }
  return checkMetadata(vector, shape, limits);
}

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

/** The parts of a QueryVectors call the client checks. */
interface QueryCheckInput {
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
  if (!Array.from(input.queryVector).every((value) => Number.isFinite(Math.fround(value)))) {
    throw new OssVectorsValidationError(ValidationReasons.NonFiniteValue, 'query vector has a non-finite value');
  }
  if (input.filter !== undefined) {
    const bytes = Buffer.byteLength(JSON.stringify(input.filter));
    if (bytes > limits.maxFilterBytes) throw new OssVectorsValidationError(ValidationReasons.FilterTooLarge, `filter is ${bytes} bytes; at most ${limits.maxFilterBytes}`);
  }
}
