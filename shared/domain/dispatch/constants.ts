/**
 * The RunCommand parameters of `ecs/run-chunk.sh` and the pattern each value must match. The script
 * checks the same patterns (a test keeps the two in step); values outside them are never sent.
 */
export const ChunkCommandParameters = {
  runId: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/u,
  chunkNo: /^(0|[1-9][0-9]{0,5})$/u,
  workerVersion: /^[0-9A-Za-z][0-9A-Za-z._-]{0,63}$/u,
  bundleSha256: /^[0-9a-f]{64}$/u,
  bundleUrl: /^https?:\/\/[A-Za-z0-9.-]+(:[0-9]{1,5})?\/[A-Za-z0-9._~/%?&=+-]*$/u,
} as const;

export type ChunkCommandParameterName = keyof typeof ChunkCommandParameters;
