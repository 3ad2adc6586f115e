// What OSS Vectors would refuse, found before sending: one vector, a PutVectors batch, a query.
import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options';
import type { IndexShape, VectorFilter, VectorInput, VectorMetadata } from './types';

/**
 * Checks a vector's metadata: key count, value types, total and filterable size. `json` is the
 * metadata's JSON when the caller made it already (it is sent as it is measured).
 */
export function checkMetadata(key: string, metadata: VectorMetadata | undefined, shape: IndexShape, limits: OssVectorsLimits, json?: string): OssVectorsValidationError | undefined {
  if (metadata === undefined) return undefined;
  const entries = Object.entries(metadata);
  if (entries.length > limits.maxMetadataKeys) {
    return new OssVectorsValidationError(ValidationReasons.TooManyMetadataKeys, `vector ${key} has ${entries.length} metadata keys; at most ${limits.maxMetadataKeys}`, key);
  }
  for (const [name, value] of entries) {
    const ok = typeof value === 'string' || (Array.isArray(value) && value.every((item) => typeof item === 'string'));
    if (!ok) return new OssVectorsValidationError(ValidationReasons.InvalidMetadataValue, `metadata ${name} of vector ${key} is not a string or string array`, key);
  }
  const text = json ?? JSON.stringify(metadata);
  const bytes = Buffer.byteLength(text);
  if (bytes > limits.maxMetadataBytes) {
    return new OssVectorsValidationError(ValidationReasons.MetadataTooLarge, `metadata of vector ${key} is ${bytes} bytes; at most ${limits.maxMetadataBytes}`, key);
  }
  const nonFilterable = new Set(shape.nonFilterableMetadataKeys ?? []);
  // With no non-filterable keys every key is filterable: the same JSON, measured once.
  const filterableBytes = nonFilterable.size === 0 ? bytes : Buffer.byteLength(JSON.stringify(Object.fromEntries(entries.filter(([name]) => !nonFilterable.has(name)))));
  if (filterableBytes > limits.maxFilterableMetadataBytes) {
    return new OssVectorsValidationError(ValidationReasons.MetadataTooLarge, `filterable metadata of vector ${key} is ${filterableBytes} bytes; at most ${limits.maxFilterableMetadataBytes}`, key);
  }
  return undefined;
}

/** Checks a vector's key: 1..maxKeyBytes UTF-8 bytes. */
export function checkKey(key: unknown, limits: OssVectorsLimits): OssVectorsValidationError | undefined {
  const keyBytes = typeof key === 'string' ? Buffer.byteLength(key) : 0;
  if (keyBytes < 1 || keyBytes > limits.maxKeyBytes) {
    return new OssVectorsValidationError(ValidationReasons.InvalidKey, `vector key is ${keyBytes} bytes; it must be 1..${limits.maxKeyBytes}`, String(key));
  }
  return undefined;
}

/** Checks a vector's values as the index stores them (float32): the dimension, each value finite, not all zero on cosine. */
export function checkValues(key: string, values: ArrayLike<unknown>, shape: IndexShape): OssVectorsValidationError | undefined {
  if (values.length !== shape.dimension) {
    return new OssVectorsValidationError(ValidationReasons.DimensionMismatch, `vector ${key} has ${values.length} values; the index takes ${shape.dimension}`, key);
  }
  let zero = true;
  for (let i = 0; i < values.length; i += 1) {
    const value = values[i];
    // Checked as the index stores it (float32): 1e39 becomes Infinity, 1e-46 becomes 0.
    const stored = typeof value === 'number' ? Math.fround(value) : Number.NaN;
    if (!Number.isFinite(stored)) {
      return new OssVectorsValidationError(ValidationReasons.NonFiniteValue, `vector ${key} has a value at ${i} that is not a finite float32 (${String(value)})`, key);
    }
    if (stored !== 0) zero = false;
  }
  if (zero && shape.distanceMetric === 'cosine') {
    return new OssVectorsValidationError(ValidationReasons.ZeroVectorOnCosine, `vector ${key} is all zeros, which a cosine index refuses`, key);
  }
  return undefined;
}

/**
 * Checks one vector against the index and the limits; returns the refusal instead of throwing so
 * a caller can park bad vectors and send the rest.
 */
export function checkVector(vector: VectorInput, shape: IndexShape, limits: OssVectorsLimits): OssVectorsValidationError | undefined {
  return checkKey(vector.key, limits) ?? checkValues(vector.key, vector.data, shape) ?? checkMetadata(vector.key, vector.metadata, shape, limits);
}

/** Throws unless a write batch has 1..`max` items with unique keys (PutVectors, DeleteVectors). */
export function checkBatchKeys(operation: 'PutVectors' | 'DeleteVectors', keys: readonly string[], max: number): void {
  if (keys.length === 0) throw new OssVectorsValidationError(operation === 'PutVectors' ? ValidationReasons.EmptyBatch : ValidationReasons.TooManyKeys, `${operation} needs at least one ${operation === 'PutVectors' ? 'vector' : 'key'}`);
  if (keys.length > max) {
    throw new OssVectorsValidationError(operation === 'PutVectors' ? ValidationReasons.TooManyVectors : ValidationReasons.TooManyKeys, `${operation} takes at most ${max}; got ${keys.length}`);
  }
  const seen = new Set<string>();
  for (const key of keys) {
    if (seen.has(key)) throw new OssVectorsValidationError(ValidationReasons.DuplicateKey, `key ${key} appears twice in one ${operation} batch`, key);
    seen.add(key);
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
