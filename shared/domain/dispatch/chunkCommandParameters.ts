import { ChunkCommandParameters } from './constants';
import type { ChunkCommandParameterName } from './constants';
import { InvalidCommandParameterError } from './errors';

/** What one chunk command carries: ids and the worker's version, never a secret. */
export interface ChunkCommandInput {
  readonly runId: string;
  readonly chunkNo: number;
  readonly workerVersion: string;
  readonly bundleSha256: string;
  /** Presigned GET of the worker bundle, valid at least as long as the command's timeout. */
  readonly bundleUrl: string;
}

/**
 * The Parameters map of the chunk RunCommand. Every value is checked against the pattern the
 * script checks, so a value the script would refuse (or could misread) is never sent.
 */
export function chunkCommandParameters(input: ChunkCommandInput): Record<ChunkCommandParameterName, string> {
  const parameters: Record<ChunkCommandParameterName, string> = {
    runId: input.runId,
    chunkNo: String(input.chunkNo),
    workerVersion: input.workerVersion,
    bundleSha256: input.bundleSha256,
    bundleUrl: input.bundleUrl,
  };
  for (const [name, value] of Object.entries(parameters) as [ChunkCommandParameterName, string][]) {
    if (!ChunkCommandParameters[name].test(value)) {
      throw new InvalidCommandParameterError(`RunCommand parameter ${name} does not match ${ChunkCommandParameters[name].source}`, { details: { parameter: name, runId: input.runId, chunkNo: input.chunkNo } });
    }
  }
  return parameters;
}
