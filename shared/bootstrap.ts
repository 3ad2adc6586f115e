// First steps on a new account, run by `npm run bootstrap`: publish the worker bundle under its
// version, and create the first vector index through the worker's own `create-index`.
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ObjectMeta, uploadWorkerBundle } from './clients/oss';
import type { OssObjectStore } from './clients/oss';
import { PermanentError } from './errors';
import { parseWorkerSummary } from './contracts';
import type { WorkerSummary } from './contracts';

/** A bootstrap step that cannot go on: the message says what to fix. */
export class BootstrapError extends PermanentError {}

const execFileAsync = promisify(execFile);

/** Where a worker version lives in the artifacts bucket: `<prefix><version>/worker.js`. */
export function workerBundleKey(workerPrefix: string, workerVersion: string): string {
  return `${workerPrefix}${workerVersion}/worker.js`;
}

/** What publishing the worker bundle did. */
export interface PublishedWorker {
  readonly key: string;
  readonly sha256: string;
  readonly bytes: number;
  /** `uploaded` the first time; `unchanged` when the same bytes are already there. */
  readonly status: 'uploaded' | 'unchanged';
}

/** What the bootstrap needs: the bundle, where it goes, and as whom. */
export interface PublishWorkerInput {
  readonly workerBundle: string;
  readonly workerVersion: string;
  readonly store: OssObjectStore;
  readonly workerPrefix: string;
}

/**
 * Uploads the worker bundle under `<prefix><version>/worker.js` with its sha256 as object metadata
 * (dispatch hands that sha256 to the instance, which checks the download against it). Safe to run
 * twice: the same bytes are not uploaded again. A version is immutable: different bytes under a
 * version that exists are refused, because instances cache bundles by version and dispatch may be
 * handing out that version's sha256 right now.
 */
export async function publishWorkerBundle(input: PublishWorkerInput): Promise<PublishedWorker> {
  const bundle = await readFile(input.workerBundle).catch((error: unknown) => {
    throw new BootstrapError(`the worker bundle ${input.workerBundle} cannot be read; run npm run build first`, { cause: error });
  });
  const key = workerBundleKey(input.workerPrefix, input.workerVersion);
  const sha256 = createHash('sha256').update(bundle).digest('hex');
  const head = await input.store.head(key);
  if (head.exists) {
    const existing = head.meta[ObjectMeta.sha256];
    if (existing === sha256) return { key, sha256, bytes: bundle.length, status: 'unchanged' };
    throw new BootstrapError(
      `worker version ${input.workerVersion} already holds a different bundle (sha256 ${existing ?? 'missing'}, this build ${sha256}); versions are immutable: choose a new VECTOR_SYNC_WORKER_VERSION`,
      { details: { key, existing: existing ?? null, sha256 } },
    );
  }
  await uploadWorkerBundle(input.store, key, bundle);
  return { key, sha256, bytes: bundle.length, status: 'uploaded' };
}

/** The first generation of a logical index, as the worker's `create-index` takes it. */
export interface FirstIndexInput {
  readonly workerBundle: string;
  readonly indexName: string;
  readonly logicalName: string;
  readonly dimension: number;
  readonly metric?: 'cosine' | 'euclidean';
}

/**
 * Runs the worker's `create-index` with a settings file, as an operator does for a new account:
 * creates the vector bucket and the index when missing, registers the generation in the ledger and
 * activates it when its logical index has none. Safe to run twice. Returns the worker's JSON line.
 */
export async function createFirstIndex(input: FirstIndexInput & { readonly settingsFile: string }): Promise<WorkerSummary> {
  const args = [input.workerBundle, 'create-index', '--index', input.indexName, '--logical', input.logicalName, '--dimension', String(input.dimension), '--metric', input.metric ?? 'cosine', '--settings', input.settingsFile];
  try {
    const { stdout } = await execFileAsync(process.execPath, args, { timeout: 120_000 });
    return parseWorkerSummary(stdout);
  } catch (error) {
    const failure = error as { stdout?: string; stderr?: string; code?: number };
    const said = `${failure.stdout ?? ''}\n${failure.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
    throw new BootstrapError(`create-index failed (exit ${failure.code ?? '?'}): ${said}`, { cause: error });
  }
}

/**
 * `createFirstIndex` with the worker settings given as values: they are written to a file that
 * only this user can read, in a fresh private directory removed afterwards.
 */
export async function createFirstIndexWith(input: FirstIndexInput & { readonly settings: Readonly<Record<string, string>> }): Promise<WorkerSummary> {
  const dir = await mkdtemp(join(tmpdir(), 'vector-sync-bootstrap-'));
  try {
    const settingsFile = join(dir, 'worker.env');
    const lines = Object.entries(input.settings).map(([key, value]) => `${key}=${value}`);
    await writeFile(settingsFile, `${lines.join('\n')}\n`, { mode: 0o600 });
    return await createFirstIndex({ ...input, settingsFile });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
