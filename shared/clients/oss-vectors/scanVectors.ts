import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsClient, VectorPage } from './OssVectorsClient';
import type { VectorOutput } from './response-schemas';
import type { IndexRef } from './types';

/** A full scan of an index split into parallel ListVectors segments. */
export interface ScanVectorsInput extends IndexRef {
  /** Parallel segments, 1..16. */
  readonly segmentCount: number;
  readonly maxResults?: number;
  readonly returnData?: boolean;
  readonly returnMetadata?: boolean;
}

interface Arrival {
  readonly segment: number;
  readonly page: VectorPage;
}

/**
 * Streams every vector of an index by running `segmentCount` ListVectors segments concurrently.
 * Each segment holds at most the page being yielded plus the one being fetched, so memory stays
 * flat however large the index is. Order is arrival order, not key order.
 */
export async function* scanVectors(client: OssVectorsClient, input: ScanVectorsInput): AsyncGenerator<VectorOutput, void, undefined> {
  const { segmentCount, ...rest } = input;
  if (!Number.isInteger(segmentCount) || segmentCount < 1 || segmentCount > client.config.limits.maxSegments) {
    throw new OssVectorsValidationError(ValidationReasons.InvalidArgument, `segmentCount ${segmentCount} is outside 1..${client.config.limits.maxSegments}`);
  }
  const fetchPage = (segment: number, nextToken?: string): Promise<Arrival> =>
    client
      .listVectors({ ...rest, segmentCount, segmentIndex: segment, ...(nextToken === undefined ? {} : { nextToken }) })
      .then((page) => ({ segment, page }));
  const pending = new Map<number, Promise<Arrival>>();
  for (let segment = 0; segment < segmentCount; segment += 1) pending.set(segment, fetchPage(segment));
  try {
    while (pending.size > 0) {
      const { segment, page } = await Promise.race(pending.values());
      if (page.nextToken === undefined) pending.delete(segment);
      else pending.set(segment, fetchPage(segment, page.nextToken));
      yield* page.vectors;
    }
  } finally {
    // A consumer that stops early or a failed segment leaves fetches in flight; settle them quietly.
    for (const promise of pending.values()) promise.catch(() => undefined);
  }
}
