import type { VectorInput } from '../../shared/clients/oss-vectors';
import type { EmbeddingRow } from './embedding-row-schema';
import { toVectorMetadata } from './toVectorMetadata';

/** The OSS vector of an embedding row: the document id as key, the metadata with the hash. */
export function toVectorInput(row: EmbeddingRow): VectorInput {
  return { key: row.document_id, data: row.embedding, metadata: toVectorMetadata(row.metadata, row.content_hash) };
}
