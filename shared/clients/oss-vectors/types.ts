import type { DistanceMetrics, OssVectorsOperations, ValidationReasons } from './constants';

/** A distance metric of an index. */
export type DistanceMetric = (typeof DistanceMetrics)[keyof typeof DistanceMetrics];

/** An operation name of the client. */
export type OssVectorsOperation = (typeof OssVectorsOperations)[keyof typeof OssVectorsOperations];

/** Why the client refused input. */
export type ValidationReason = (typeof ValidationReasons)[keyof typeof ValidationReasons];

/** A metadata value: strings and string arrays (numbers are not guaranteed by the docs). */
export type MetadataValue = string | readonly string[];

/** Metadata of one vector. */
export type VectorMetadata = Readonly<Record<string, MetadataValue>>;

/** One vector to write. */
export interface VectorInput {
  readonly key: string;
  readonly data: readonly number[] | Float32Array;
  readonly metadata?: VectorMetadata;
}

/** What the client must know about an index to check vectors before sending them. */
export interface IndexShape {
  readonly dimension: number;
  readonly distanceMetric: DistanceMetric;
  readonly nonFilterableMetadataKeys?: readonly string[];
}

/** A condition on one metadata key. */
export interface FilterCondition {
  readonly $eq?: string;
  readonly $ne?: string;
  readonly $in?: readonly string[];
  readonly $nin?: readonly string[];
  readonly $exists?: boolean;
}

/** A QueryVectors filter: conditions by key, combined with `$and` / `$or`. */
export interface VectorFilter {
  readonly [key: string]: FilterCondition | readonly VectorFilter[];
}

/** Addresses an index. */
export interface IndexRef {
  readonly bucket: string;
  readonly indexName: string;
}
