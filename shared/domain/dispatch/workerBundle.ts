import type { OssObjectStore } from '../../clients/oss';
import { ObjectMeta } from '../../clients/oss';
import { WorkerBundleMissingError } from './errors';

/** Where the worker bundles live and which one to run. */
export interface WorkerBundleSettings {
  readonly store: Pick<OssObjectStore, 'head' | 'presignGet'>;
  readonly prefix: string;
  readonly version: string;
  /** How long the presigned URL lives: at least the command's timeout. */
  readonly urlSeconds: number;
}

const checksums = new Map<string, string>();

/**
 * The bundle of the configured version: its sha256 (read once per instance from the object's
 * `x-oss-meta-sha256`, which the upload wrote) and a presigned GET the script downloads it with.
 */
export async function workerBundle(settings: WorkerBundleSettings): Promise<{ key: string; sha256: string; url: string }> {
  const key = `${settings.prefix}${settings.version}/worker.js`;
  let sha256 = checksums.get(key);
  if (sha256 === undefined) {
    const head = await settings.store.head(key);
    const found = head.exists ? head.meta[ObjectMeta.sha256] : undefined;
    if (!found) {
      throw new WorkerBundleMissingError(`worker bundle ${key} is not in OSS${head.exists ? ' with its x-oss-meta-sha256' : ''}: upload it (see docs/deploy.md) or fix WORKER_VERSION`, { details: { key } });
    }
    sha256 = found;
    checksums.set(key, sha256);
  }
  return { key, sha256, url: await settings.store.presignGet(key, settings.urlSeconds) };
}
