import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { uploadWorkerBundle } from '../../shared/clients/oss';
import type { UploadedBundle , OssObjectStore} from '../../shared/clients/oss';

const run = promisify(execFile);

/** What the bootstrap needs: the bundle, where it goes, and as whom. */
export interface BootstrapWorkerInput {
  readonly workerBundle: string;
  readonly workerVersion: string;
  readonly store: OssObjectStore;
  readonly workerPrefix: string;
}

/** Uploads the worker bundle under `<prefix><version>/worker.js` with its sha256, as a release does. */
export async function uploadWorker(input: BootstrapWorkerInput): Promise<UploadedBundle> {
  const bundle = await readFile(input.workerBundle);
  return uploadWorkerBundle(input.store, `${input.workerPrefix}${input.workerVersion}/worker.js`, bundle);
}

/**
 * Runs the worker's `create-index` once, as an operator does for a new account: creates the vector
 * bucket and the index and registers the first generation in the ledger. Safe to run twice.
 */
export async function createFirstIndex(input: { workerBundle: string; settingsFile: string; indexName: string; logicalName: string; dimension: number }): Promise<string> {
  const { stdout } = await run(
    process.execPath,
    [input.workerBundle, 'create-index', '--index', input.indexName, '--logical', input.logicalName, '--dimension', String(input.dimension), '--metric', 'cosine', '--settings', input.settingsFile],
    { timeout: 60_000 },
  );
  return stdout.trim();
}
