import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options-schema';
import type { IndexShape, VectorInput } from './types';

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
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      return new OssVectorsValidationError(ValidationReasons.NonFiniteValue, `vector ${vector.key} has a non-finite value at ${i}`, vector.key);
    }
    if (value !== 0) zero = false;
  }
  if (zero && shape.distanceMetric === 'cosine') {
    return new OssVectorsValidationError(ValidationReasons.ZeroVectorOnCosine, `vector ${vector.key} is all zeros, which a cosine index refuses`, vector.key);
  }
  return checkMetadata(vector, shape, limits);
}
