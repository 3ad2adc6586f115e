import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';

/** One stored object with what OSS keeps beside the bytes. */
export interface StoredObject {
  readonly body: Buffer;
  readonly contentType: string;
  /** Quoted upper-case hex MD5, as OSS writes it for a simple upload. */
  readonly etag: string;
  readonly lastModified: Date;
  /** User metadata without the `x-oss-meta-` prefix, names lower-cased. */
  readonly meta: Readonly<Record<string, string>>;
}

/** Where the emulator keeps buckets and objects (memory or a directory). */
export interface ObjectStore {
  hasBucket(bucket: string): Promise<boolean>;
  createBucket(bucket: string): Promise<void>;
  put(bucket: string, key: string, object: StoredObject): Promise<void>;
  get(bucket: string, key: string): Promise<StoredObject | undefined>;
}

/** Buckets and objects kept in memory; gone when the emulator stops. */
export class MemoryObjectStore implements ObjectStore {
  private readonly buckets = new Map<string, Map<string, StoredObject>>();

  async hasBucket(bucket: string): Promise<boolean> {
    return this.buckets.has(bucket);
  }

  async createBucket(bucket: string): Promise<void> {
    if (!this.buckets.has(bucket)) this.buckets.set(bucket, new Map());
  }

  async put(bucket: string, key: string, object: StoredObject): Promise<void> {
    const objects = this.buckets.get(bucket);
    if (!objects) throw new Error(`bucket ${bucket} does not exist`);
    objects.set(key, object);
  }

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    return this.buckets.get(bucket)?.get(key);
  }
}

/** Longest encoded key kept as a file name (leaves room for the suffixes under 255 bytes). */
const MAX_NAME = 200;

/** The sidecar written beside each object's bytes. */
const SidecarSchema = z.object({
  contentType: z.string(),
  etag: z.string(),
  lastModified: z.string(),
  meta: z.record(z.string(), z.string()),
});

function isMissing(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 'ENOENT';
}

/**
 * Buckets as folders under `root`, each object as `<encoded key>.data` plus `<encoded key>.json`
 * (content type, ETag, time, metadata). Keys are percent-encoded into one file name, so a key
 * can never leave its bucket's folder. Writes go to a temporary file and are renamed into place.
 */
export class DirectoryObjectStore implements ObjectStore {
  constructor(private readonly root: string) {}

  async hasBucket(bucket: string): Promise<boolean> {
    try {
      return (await stat(this.bucketDir(bucket))).isDirectory();
    } catch (error) {
      if (isMissing(error)) return false;
      throw error;
    }
  }

  async createBucket(bucket: string): Promise<void> {
    await mkdir(this.bucketDir(bucket), { recursive: true });
  }

  async put(bucket: string, key: string, object: StoredObject): Promise<void> {
    const base = this.objectBase(bucket, key);
    const sidecar = { contentType: object.contentType, etag: object.etag, lastModified: object.lastModified.toISOString(), meta: object.meta };
    await writeFile(`${base}.data.tmp`, object.body);
    await writeFile(`${base}.json.tmp`, JSON.stringify(sidecar));
    await rename(`${base}.data.tmp`, `${base}.data`);
    await rename(`${base}.json.tmp`, `${base}.json`);
  }

  async get(bucket: string, key: string): Promise<StoredObject | undefined> {
    const base = this.objectBase(bucket, key);
    try {
      const sidecar = SidecarSchema.parse(JSON.parse(await readFile(`${base}.json`, 'utf8')));
      const body = await readFile(`${base}.data`);
      return { ...sidecar, body, lastModified: new Date(sidecar.lastModified) };
    } catch (error) {
      if (isMissing(error)) return undefined;
      throw error;
    }
  }

  private bucketDir(bucket: string): string {
    return join(this.root, encodeURIComponent(bucket));
  }

  private objectBase(bucket: string, key: string): string {
    // encodeURIComponent leaves `.` alone, so `.` and `..` alone are escaped by hand; a name too
    // long for the file system (OSS keys reach 1,023 bytes) is replaced by its hash.
    const encoded = encodeURIComponent(key).replace(/^\.\.?$/u, (dots) => dots.replace(/\./gu, '%2E'));
    const name = encoded.length <= MAX_NAME ? encoded : `~${createHash('sha256').update(key, 'utf8').digest('hex')}`;
    return join(this.bucketDir(bucket), name);
  }
}
