import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { OssVectorsApiError, OssVectorsEmulatorConfigError } from './errors';
import { VectorIndexData } from './VectorIndexData';
import type { BucketRecord, IndexSettings, PackedBatch, StoredMetadata } from './types';

/** One replayed log record. */
type LogRecord = { readonly op: 'put'; readonly batch: PackedBatch } | { readonly op: 'delete'; readonly keys: readonly string[] };

interface RecordHeader {
  readonly op: 'put' | 'delete';
  readonly keys: readonly string[];
  readonly metadata?: readonly (StoredMetadata | null)[];
}

/** Frames one record: u32 header length, u32 float count, the JSON header, then raw float32s. */
function frame(header: RecordHeader, data?: Float32Array): Buffer {
  const json = Buffer.from(JSON.stringify(header));
  const prefix = Buffer.alloc(8);
  prefix.writeUInt32LE(json.length, 0);
  prefix.writeUInt32LE(data?.length ?? 0, 4);
  const floats = data ? Buffer.from(data.buffer, data.byteOffset, data.byteLength) : Buffer.alloc(0);
  return Buffer.concat([prefix, json, floats]);
}

/**
 * The append-only log of one index: each PutVectors/DeleteVectors appends one binary record, so a
 * write costs its own size, never a rewrite of the index. `compact` rewrites the live rows into a
 * fresh file (temp file, fsync, rename) when the log has grown well past them, and at close.
 */
class IndexLog {
  private fd: number | undefined;
  private bytes: number;

  constructor(readonly path: string) {
    this.bytes = existsSync(path) ? statSync(path).size : 0;
  }

  /** Size of the log file. */
  get size(): number {
    return this.bytes;
  }

  /** Reads every record; a torn tail (crash mid-write) is ignored. */
  replay(): LogRecord[] {
    if (!existsSync(this.path)) return [];
    const file = readFileSync(this.path);
    const records: LogRecord[] = [];
    let at = 0;
    while (at + 8 <= file.length) {
      const headerBytes = file.readUInt32LE(at);
      const floats = file.readUInt32LE(at + 4);
      const end = at + 8 + headerBytes + floats * 4;
      if (end > file.length) break;
      let header: RecordHeader;
      try {
        header = JSON.parse(file.subarray(at + 8, at + 8 + headerBytes).toString('utf8')) as RecordHeader;
      } catch (error) {
        throw new OssVectorsEmulatorConfigError(`index log ${this.path} is corrupt at byte ${at}`, { cause: error });
      }
      // Copy: the floats are not 4-byte aligned inside the file buffer.
      const data = new Float32Array(new Uint8Array(file.subarray(at + 8 + headerBytes, end)).buffer);
      const metadata = (header.metadata ?? header.keys.map(() => null)).map((item) => item ?? undefined);
      records.push(header.op === 'put' ? { op: 'put', batch: { keys: header.keys, data, metadata } } : { op: 'delete', keys: header.keys });
      at = end;
    }
    return records;
  }

  appendPut(batch: PackedBatch): void {
    this.append(frame({ op: 'put', keys: batch.keys, metadata: batch.metadata.map((item) => item ?? null) }, batch.data));
  }

  appendDelete(keys: readonly string[]): void {
    this.append(frame({ op: 'delete', keys }));
  }

  /** Replaces the log with the given batches (the live rows). */
  compact(batches: Iterable<PackedBatch>): void {
    this.close();
    const temp = `${this.path}.compact`;
    const fd = openSync(temp, 'w');
    let bytes = 0;
    try {
      for (const batch of batches) {
        const buffer = frame({ op: 'put', keys: batch.keys, metadata: batch.metadata.map((item) => item ?? null) }, batch.data);
        writeSync(fd, buffer);
        bytes += buffer.length;
      }
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, this.path);
    this.bytes = bytes;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }

  /** Closes and deletes the log (the index was deleted). */
  destroy(): void {
    this.close();
    rmSync(this.path, { force: true });
    this.bytes = 0;
  }

  private append(buffer: Buffer): void {
    this.fd ??= openSync(this.path, 'a');
    writeSync(this.fd, buffer);
    this.bytes += buffer.length;
  }
}

/** An open index: its settings, rows and (with a data directory) its log. */
export interface OpenIndex {
  readonly settings: IndexSettings;
  readonly data: VectorIndexData;
  readonly log: IndexLog | undefined;
}

interface Catalog {
  readonly buckets: BucketRecord[];
  readonly indexes: IndexSettings[];
}

const COMPACT_MIN_BYTES = 64 * 1024 * 1024;
const ROWS_PER_COMPACTED_RECORD = 4096;

function* liveBatches(data: VectorIndexData): Generator<PackedBatch> {
  let keys: string[] = [];
  let rows: Float32Array[] = [];
  let metadata: PackedBatch['metadata'][number][] = [];
  const flush = (): PackedBatch => {
    const packed = new Float32Array(rows.length * data.dimension);
    rows.forEach((row, i) => packed.set(row, i * data.dimension));
    const batch = { keys, data: packed, metadata };
    keys = [];
    rows = [];
    metadata = [];
    return batch;
  };
  for (const row of data.rows()) {
    keys.push(row.key);
    rows.push(row.data);
    metadata.push(row.metadata);
    if (keys.length === ROWS_PER_COMPACTED_RECORD) yield flush();
  }
  if (keys.length > 0) yield flush();
}

/**
 * Buckets, index settings and vectors of the emulated account. With a data directory the catalog
 * (buckets and index settings, small) is rewritten on change and each index keeps an append-only
 * log, so a restart finds everything again; without one everything lives in memory.
 */
export class VectorStore {
  private readonly buckets = new Map<string, BucketRecord>();
  private readonly indexes = new Map<string, OpenIndex>();

  constructor(private readonly dataDir?: string) {
    if (dataDir === undefined) return;
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'catalog.json');
    if (!existsSync(path)) return;
    let catalog: Catalog;
    try {
      catalog = JSON.parse(readFileSync(path, 'utf8')) as Catalog;
    } catch (error) {
      throw new OssVectorsEmulatorConfigError(`${path} is not a readable catalog`, { cause: error });
    }
    for (const bucket of catalog.buckets) this.buckets.set(bucket.name, bucket);
    for (const settings of catalog.indexes) this.open(settings, true);
  }

  listBuckets(): BucketRecord[] {
    return [...this.buckets.values()].sort((a, b) => (a.name < b.name ? -1 : 1));
  }

  bucket(name: string): BucketRecord {
    const bucket = this.buckets.get(name);
    if (!bucket) throw new OssVectorsApiError('NoSuchBucket', `The specified bucket ${name} does not exist.`);
    return bucket;
  }

  hasBucket(name: string): boolean {
    return this.buckets.has(name);
  }

  createBucket(record: BucketRecord): void {
    this.buckets.set(record.name, record);
    this.saveCatalog();
  }

  deleteBucket(name: string): void {
    if (this.listIndexes(name).length > 0) throw new OssVectorsApiError('BucketNotEmpty');
    this.buckets.delete(name);
    this.saveCatalog();
  }

  listIndexes(bucket: string): IndexSettings[] {
    return [...this.indexes.values()].map((index) => index.settings).filter((settings) => settings.bucket === bucket).sort((a, b) => (a.indexName < b.indexName ? -1 : 1));
  }

  index(bucket: string, indexName: string): OpenIndex {
    const index = this.indexes.get(`${bucket}/${indexName}`);
    if (!index) throw new OssVectorsApiError('NoSuchVectorIndex', `The specified vector index ${indexName} does not exist.`);
    return index;
  }

  hasIndex(bucket: string, indexName: string): boolean {
    return this.indexes.has(`${bucket}/${indexName}`);
  }

  createIndex(settings: IndexSettings): void {
    this.open(settings, false);
    this.saveCatalog();
  }

  deleteIndex(bucket: string, indexName: string): void {
    const index = this.index(bucket, indexName);
    index.log?.destroy();
    this.indexes.delete(`${bucket}/${indexName}`);
    this.saveCatalog();
  }

  /** Upserts a validated batch: logged first, then applied. */
  put(index: OpenIndex, batch: PackedBatch, visibleAt: number): void {
    index.log?.appendPut(batch);
    index.data.upsert(batch, visibleAt);
    this.maybeCompact(index);
  }

  remove(index: OpenIndex, keys: readonly string[]): void {
    index.log?.appendDelete(keys);
    index.data.remove(keys);
  }

  /** Compacts every log and closes the files. */
  close(): void {
    for (const index of this.indexes.values()) {
      index.log?.compact(liveBatches(index.data));
      index.log?.close();
    }
  }

  private open(settings: IndexSettings, replay: boolean): void {
    const data = new VectorIndexData(settings.dimension, settings.distanceMetric);
    let log: IndexLog | undefined;
    if (this.dataDir !== undefined) {
      mkdirSync(join(this.dataDir, settings.bucket), { recursive: true });
      log = new IndexLog(join(this.dataDir, settings.bucket, `${settings.indexName}.log`));
      if (!replay) log.destroy();
      for (const record of replay ? log.replay() : []) {
        if (record.op === 'put') data.upsert(record.batch, 0);
        else data.remove(record.keys);
      }
    }
    this.indexes.set(`${settings.bucket}/${settings.indexName}`, { settings, data, log });
  }

  private maybeCompact(index: OpenIndex): void {
    if (!index.log || index.log.size < COMPACT_MIN_BYTES) return;
    // Rewriting costs the live size, so it is only worth it once dead records dominate the log.
    const liveBytes = index.data.size * (index.settings.dimension * 4 + 64);
    if (index.log.size > 3 * liveBytes) index.log.compact(liveBatches(index.data));
  }

  private saveCatalog(): void {
    if (this.dataDir === undefined) return;
    const catalog: Catalog = { buckets: this.listBuckets(), indexes: [...this.indexes.values()].map((index) => index.settings) };
    const path = join(this.dataDir, 'catalog.json');
    writeFileSync(`${path}.tmp`, JSON.stringify(catalog, null, 2));
    renameSync(`${path}.tmp`, path);
  }
}
