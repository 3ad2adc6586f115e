import { closeSync, existsSync, fsyncSync, openSync, readFileSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { OssVectorsEmulatorConfigError } from './errors';
import type { PackedBatch, StoredMetadata } from './types';

/** One replayed log record. */
export type LogRecord = { readonly op: 'put'; readonly batch: PackedBatch } | { readonly op: 'delete'; readonly keys: readonly string[] };

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
export class IndexLog {
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
