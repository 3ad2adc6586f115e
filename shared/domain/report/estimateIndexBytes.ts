/** What one stored vector costs besides its floats: the key (a uuid) and a little metadata. */
const KEY_BYTES = 36;
const METADATA_BYTES = 64;

/**
 * OSS Vectors has no API that reports an index's size, so the report estimates it: float32 data
 * plus key and metadata bytes per vector.
 */
export function estimateIndexBytes(totalVectors: number, dimension: number, metadataBytes: number = METADATA_BYTES): number {
  return totalVectors * (dimension * 4 + KEY_BYTES + metadataBytes);
}
