import type { IncomingHttpHeaders } from 'node:http';
import type { OssVectorsEmulatorLimits } from './OssVectorsService';
import type { VectorStore } from './VectorStore';
import type { WriteQuota } from './writeQuota';

/** A key the emulator accepts. */
export interface EmulatorCredential {
  readonly accessKeyId: string;
  readonly accessKeySecret: string;
  /** When set, requests with this key must carry this STS token. */
  readonly securityToken?: string;
}

/** Distance metric of an index. */
export type Metric = 'cosine' | 'euclidean';

/** Metadata of a stored vector. */
export type StoredMetadata = Readonly<Record<string, string | readonly string[]>>;

/** The settings of an index, fixed at creation. */
export interface IndexSettings {
  readonly bucket: string;
  readonly indexName: string;
  readonly dimension: number;
  readonly distanceMetric: Metric;
  readonly nonFilterableMetadataKeys: readonly string[];
  readonly createTime: string;
}

/** A bucket of the account. */
export interface BucketRecord {
  readonly name: string;
  readonly creationDate: string;
}

/** A validated batch of PutVectors, packed row by row. */
export interface PackedBatch {
  readonly keys: readonly string[];
  /** keys.length × dimension values. */
  readonly data: Float32Array;
  readonly metadata: readonly (StoredMetadata | undefined)[];
}

/** One search hit. */
export interface SearchHit {
  readonly slot: number;
  readonly distance: number;
}

/** Limits the emulator enforces (see `OssVectorsEmulatorLimits`). */
export type EmulatorLimits = { readonly [K in keyof typeof OssVectorsEmulatorLimits]: number };

/** What an operation handler gets. */
export interface OperationContext {
  readonly store: VectorStore;
  readonly bucket: string | undefined;
  readonly body: Buffer;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly now: number;
  readonly region: string;
  readonly accountId: string;
  readonly limits: EmulatorLimits;
  /** Delay before a written vector becomes searchable. */
  readonly searchableDelayMs: number;
  /** The write quota per index and the PutVectorIndex rate. */
  readonly writeQuota: WriteQuota;
}
