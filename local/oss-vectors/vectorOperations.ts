import type { EmulatorResponse } from '../http';
import { checkFilter } from './checkFilter';
import { compileFilter } from './compileFilter';
import { OssVectorsApiError } from './errors';
import { packVectors } from './packVectors';
import { parseBody } from './parseBody';
import { DeleteVectorsBodySchema, GetVectorsBodySchema, PutVectorsBodySchema, QueryVectorsBodySchema } from './request-schemas';
import type { OpenIndex } from './VectorStore';
import type { OperationContext, StoredMetadata } from './types';
import { listVectors } from './listVectors';

function indexOf(context: OperationContext, indexName: string): OpenIndex {
  if (context.bucket === undefined) throw new OssVectorsApiError('MethodNotAllowed', 'this call needs a bucket host');
  return context.store.index(context.store.bucket(context.bucket).name, indexName);
}

function withMetadata(metadata: StoredMetadata | undefined, wanted: boolean | undefined): object {
  return wanted === true ? { metadata: metadata ?? {} } : {};
}

/** Vector calls: PutVectors, GetVectors, ListVectors, DeleteVectors, QueryVectors. */
export const vectorOperations = {
  PutVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(PutVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    context.store.put(index, packVectors(body, index.settings, context.limits), context.now + context.searchableDelayMs);
    return { status: 200 };
  },

  GetVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(GetVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    if (body.keys.length < 1 || body.keys.length > context.limits.maxGetKeys) throw new OssVectorsApiError('InvalidArgument', `GetVectors takes 1..${context.limits.maxGetKeys} keys`);
    const vectors = body.keys.flatMap((key) => {
      const row = index.data.get(key);
      if (!row) return [];
      return [{ key, ...(body.returnData === true ? { data: { float32: Array.from(row.data) } } : {}), ...withMetadata(row.metadata, body.returnMetadata) }];
    });
    return { status: 200, body: { vectors } };
  },

  ListVectors(context: OperationContext): EmulatorResponse {
    return listVectors(context, (indexName) => indexOf(context, indexName));
  },

  DeleteVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(DeleteVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    if (body.keys.length < 1 || body.keys.length > context.limits.maxDeleteKeys) throw new OssVectorsApiError('InvalidArgument', `DeleteVectors takes 1..${context.limits.maxDeleteKeys} keys`);
    if (new Set(body.keys).size !== body.keys.length) throw new OssVectorsApiError('InvalidArgument', 'DeleteVectors keys must be unique');
    context.store.remove(index, body.keys);
    return { status: 204 };
  },

  QueryVectors(context: OperationContext): EmulatorResponse {
    const body = parseBody(QueryVectorsBodySchema, context.body);
    const index = indexOf(context, body.indexName);
    const { dimension, nonFilterableMetadataKeys } = index.settings;
    if (!Number.isInteger(body.topK) || body.topK < 1 || body.topK > context.limits.maxTopK) throw new OssVectorsApiError('InvalidArgument', `topK must be 1..${context.limits.maxTopK}`);
    const values = body.queryVector.float32;
    if (values.length !== dimension) throw new OssVectorsApiError('InvalidArgument', `queryVector has ${values.length} values; the index dimension is ${dimension}`);
    if (!values.every((value) => typeof value === 'number' && Number.isFinite(value))) throw new OssVectorsApiError('InvalidArgument', 'queryVector holds a value that is not a finite number');
    let predicate;
    if (body.filter !== undefined) {
      const nonFilterable = new Set(nonFilterableMetadataKeys);
      checkFilter(body.filter, (key) => !nonFilterable.has(key), context.limits);
      predicate = compileFilter(body.filter);
    }
    const hits = index.data.search(Float32Array.from(values as number[]), body.topK, context.now, predicate);
    const vectors = hits.map((hit) => {
      const row = index.data.at(hit.slot);
      return { key: row?.key ?? '', ...(body.returnDistance === true ? { distance: hit.distance } : {}), ...withMetadata(row?.metadata, body.returnMetadata) };
    });
    return { status: 200, body: { vectors } };
  },
} as const;
