import { OssVectorsApiError } from './errors';
import type { PutVectorsBody } from './request-schemas';
import type { EmulatorLimits, IndexSettings, PackedBatch } from './types';

function refuse(message: string): never {
  throw new OssVectorsApiError('InvalidArgument', message);
}

/**
 * Checks a PutVectors batch the way OSS does (one bad vector fails the whole request) and packs the
 * values into one Float32Array: batch size, unique keys, key bytes, dimension, finite numbers, no
 * all-zero vector on cosine, metadata keys and sizes.
 */
export function packVectors(body: PutVectorsBody, settings: IndexSettings, limits: EmulatorLimits): PackedBatch {
  const { vectors } = body;
  const dim = settings.dimension;
  if (vectors.length < 1 || vectors.length > limits.maxVectorsPerPut) refuse(`a PutVectors batch holds 1..${limits.maxVectorsPerPut} vectors; got ${vectors.length}`);
  const nonFilterable = new Set(settings.nonFilterableMetadataKeys);
  const data = new Float32Array(vectors.length * dim);
  const seen = new Set<string>();
  vectors.forEach((vector, row) => {
    if (seen.has(vector.key)) refuse(`duplicate key ${vector.key} in one batch`);
    seen.add(vector.key);
    const keyBytes = Buffer.byteLength(vector.key);
    if (keyBytes < 1 || keyBytes > limits.maxKeyBytes) refuse(`key is ${keyBytes} bytes; it must be 1..${limits.maxKeyBytes}`);
    const values = vector.data.float32;
    if (values.length !== dim) refuse(`vector ${vector.key} has ${values.length} values; the index dimension is ${dim}`);
    let zero = true;
    for (let i = 0; i < dim; i += 1) {
      const value = values[i];
      if (typeof value !== 'number' || !Number.isFinite(value)) refuse(`vector ${vector.key} has a value that is not a finite number at ${i}`);
      if (value !== 0) zero = false;
      data[row * dim + i] = value;
    }
    if (zero && settings.distanceMetric === 'cosine') refuse(`vector ${vector.key} is all zeros, which a cosine index cannot take`);
    const metadata = vector.metadata;
    if (metadata === undefined) return;
    const names = Object.keys(metadata);
    if (names.length > limits.maxMetadataKeys) refuse(`vector ${vector.key} has ${names.length} metadata keys; at most ${limits.maxMetadataKeys}`);
    const bytes = Buffer.byteLength(JSON.stringify(metadata));
    if (bytes > limits.maxMetadataBytes) refuse(`metadata of ${vector.key} is ${bytes} bytes; at most ${limits.maxMetadataBytes}`);
    const filterable = Object.fromEntries(Object.entries(metadata).filter(([name]) => !nonFilterable.has(name)));
    const filterableBytes = Buffer.byteLength(JSON.stringify(filterable));
    if (filterableBytes > limits.maxFilterableMetadataBytes) refuse(`filterable metadata of ${vector.key} is ${filterableBytes} bytes; at most ${limits.maxFilterableMetadataBytes}`);
  });
  return { keys: vectors.map((vector) => vector.key), data, metadata: vectors.map((vector) => vector.metadata) };
}
