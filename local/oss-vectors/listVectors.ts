import type { EmulatorResponse } from '../http';
import { OssVectorsApiError } from './errors';
import { parseBody } from './parseBody';
import { ListVectorsBodySchema } from './request-schemas';
import type { OpenIndex } from './VectorStore';
import type { OperationContext } from './types';

interface Cursor {
  readonly slot: number;
  readonly segmentCount: number;
  readonly segmentIndex: number;
}

function readToken(token: string, segmentCount: number, segmentIndex: number): number {
  try {
    const cursor = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (Number.isInteger(cursor.slot) && cursor.segmentCount === segmentCount && cursor.segmentIndex === segmentIndex) return cursor.slot;
  } catch {
    // Falls through to the refusal below.
  }
  throw new OssVectorsApiError('InvalidArgument', 'nextToken is not a token of this listing');
}

/**
 * One ListVectors page: rows in storage order, split into segments by a hash of the key, at most
 * `maxResults` vectors and about 1 MB of JSON per page. The token records where the page stopped.
 */
export function listVectors(context: OperationContext, open: (indexName: string) => OpenIndex): EmulatorResponse {
  const body = parseBody(ListVectorsBodySchema, context.body);
  const index = open(body.indexName);
  const { limits } = context;
  const maxResults = body.maxResults ?? limits.defaultListResults;
  const segmentCount = body.segmentCount ?? 1;
  const segmentIndex = body.segmentIndex ?? 0;
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > limits.maxListResults) throw new OssVectorsApiError('InvalidArgument', `maxResults must be 1..${limits.maxListResults}`);
  if (!Number.isInteger(segmentCount) || segmentCount < 1 || segmentCount > limits.maxSegments) throw new OssVectorsApiError('InvalidArgument', `segmentCount must be 1..${limits.maxSegments}`);
  if (!Number.isInteger(segmentIndex) || segmentIndex < 0 || segmentIndex >= segmentCount) throw new OssVectorsApiError('InvalidArgument', 'segmentIndex must be 0..segmentCount-1');
  const start = body.nextToken ? readToken(body.nextToken, segmentCount, segmentIndex) : 0;
  const vectors: object[] = [];
  let bytes = 0;
  const stoppedAt = index.data.scan(start, segmentCount, segmentIndex, (slot) => {
    if (vectors.length >= maxResults) return false;
    const row = index.data.at(slot);
    if (!row) return true;
    const item = {
      key: row.key,
      ...(body.returnData === true ? { data: { float32: Array.from(row.data) } } : {}),
      ...(body.returnMetadata === true ? { metadata: row.metadata ?? {} } : {}),
    };
    const size = body.returnData === true || body.returnMetadata === true ? Buffer.byteLength(JSON.stringify(item)) : Buffer.byteLength(row.key) + 12;
    if (vectors.length > 0 && bytes + size > limits.maxListPageBytes) return false;
    vectors.push(item);
    bytes += size;
    return true;
  });
  const nextToken = stoppedAt === undefined ? undefined : Buffer.from(JSON.stringify({ slot: stoppedAt, segmentCount, segmentIndex })).toString('base64url');
  return { status: 200, body: { vectors, ...(nextToken ? { nextToken } : {}) } };
}
