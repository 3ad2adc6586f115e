// A search run's one chunk: each query (a text embedded by the embed-query endpoint, a vector, or
// a document's own embedding) asked of the logical index's active generation with the run's topK
// and filter; hits grouped by document (its best passage first) unless the run asks for passages
// as they are; the full answer archived in OSS as JSON, the top hits kept for the report. A query
// that cannot be answered (no such document, wrong length, a filter OSS refuses) carries its
// reason and the others still run; only a transient failure fails the attempt.
import { OssVectorsRequestError, OssVectorsValidationError } from '../../shared/clients/oss-vectors';
import type { VectorFilter, VectorOutput } from '../../shared/clients/oss-vectors';
import { describeQuery, parseVectorKey, SearchParamsSchema } from '../../shared/contracts';
import type { SearchParams, SearchQuery, SearchQueryResult, SearchResult } from '../../shared/contracts';
import { classifyError, describeError } from '../../shared/errors';
import { LedgerShapeError } from '../../shared/ledger';
import type { IndexRow } from '../../shared/ledger';
import type { WorkerContext } from '../context';
import { vectorValues } from '../embeddingRows';
import { snippetOf, snippetSourceChars } from '../snippet';
import { shapeOf } from '../vectors';
import { runParams } from './params';
import { compareTopK, summariseRecall } from './recall';
import type { ChunkJob } from './write';

/** Hits per query the chunk result (and so the report) keeps; the archive keeps them all. */
const HITS_KEPT = 10;
/** Snippet length for hits whose vector carries none (made from Postgres content). */
const FALLBACK_SNIPPET_CHARS = 200;

/** A query with the vector it is asked with, or why it has none. */
interface Resolved {
  readonly query: SearchQuery;
  readonly label: string;
  readonly kind: SearchQueryResult['kind'];
  readonly vector?: number[];
  readonly error?: string;
}

/** A query as answered: the resolved query, its hits (grouped as asked) or its error, and the vectors OSS answered. */
interface Answered extends Resolved {
  readonly hits: readonly VectorOutput[];
  /** The top topK vectors as OSS Vectors answered them, for recall. */
  readonly vectors: readonly VectorOutput[];
}

/** The document a hit's key names. */
function documentOf(key: string): string {
  return parseVectorKey(key).documentId;
}

/**
 * How many vectors to ask for: topK passages as they are; grouped by document, three times as many
 * (a document's passages may crowd the top), within the account's QUERY_TOPK_MAX.
 */
function vectorsToAsk(params: SearchParams, maxTopK: number): number {
  return params.passages ? params.topK : Math.min(maxTopK, params.topK * 3);
}

/** The hits by document, each document once with its best (first) passage, at most `topK`; or the passages as they are. */
function grouped(hits: readonly VectorOutput[], params: SearchParams): VectorOutput[] {
  if (params.passages) return hits.slice(0, params.topK);
  const seen = new Set<string>();
  const best: VectorOutput[] = [];
  for (const hit of hits) {
    const documentId = documentOf(hit.key);
    if (seen.has(documentId)) continue;
    seen.add(documentId);
    best.push(hit);
    if (best.length === params.topK) break;
  }
  return best;
}

/** A permanent failure becomes the query's reason; a transient one fails the attempt. */
function reasonOrThrow(error: unknown): string {
  if (classifyError(error) === 'transient') throw error;
  return describeError(error).message;
}

/** The sidecar's model the texts are embedded with, and how many models it holds. */
type TextModel = NonNullable<SearchResult['textModel']>;

/** The vectors of the text queries, in one call to the embed-query endpoint, or why there are none. */
async function embedTexts(worker: WorkerContext, index: IndexRow, texts: readonly string[]): Promise<({ vectors: number[][] } | { error: string }) & { textModel?: TextModel }> {
  if (!worker.queryEmbedder) return { error: 'this worker has no EMBED_QUERY_URL; text queries cannot be embedded' };
  const found = await worker.ledger.embeddingModel();
  if (!found) return { error: 'no document has an embedding yet, so the model to embed the text with is unknown' };
  const textModel = { model: found.model, models: found.models };
  // Mid-migration between models: the report says so, as hits embedded with another model are not comparable.
  if (found.models > 1) worker.log.warn('the sidecar holds embeddings of several models; texts are embedded with the most common', textModel);
  try {
    return { vectors: await worker.queryEmbedder.embed(texts, { model: found.model, dimension: index.dimension }), textModel };
  } catch (error) {
    return { error: reasonOrThrow(error), textModel };
  }
}

/** Each query with its vector or its reason, in request order, and the model texts were embedded with. */
async function resolveQueries(worker: WorkerContext, index: IndexRow, queries: readonly SearchQuery[]): Promise<{ resolved: Resolved[]; textModel?: TextModel }> {
  const texts = queries.flatMap((q) => ('text' in q ? [q.text] : []));
  const embedded = texts.length > 0 ? await embedTexts(worker, index, texts) : { vectors: [] };
  const documentIds = queries.flatMap((q) => ('documentId' in q ? [q.documentId] : []));
  // A document query searches with the document's first passage (its start; the whole of a short one).
  const rows = new Map((await worker.ledger.embeddingsByIds(documentIds)).filter((row) => row.passage_no === 0).map((row) => [row.document_id, row.embedding]));
  let textNo = 0;
  const resolved = queries.map((query): Resolved => {
    const { kind, label } = describeQuery(query);
    const base = { query, kind, label };
    if ('text' in query) {
      const vector = 'vectors' in embedded ? embedded.vectors[textNo] : undefined;
      textNo += 1;
      return vector ? { ...base, vector } : { ...base, error: 'error' in embedded ? embedded.error : 'the endpoint answered too few vectors' };
    }
    if ('documentId' in query) {
      const text = rows.get(query.documentId);
      return text ? { ...base, vector: vectorValues(text, query.documentId) } : { ...base, error: `document ${query.documentId} has no embedding` };
    }
    if (query.vector.length !== index.dimension) return { ...base, error: `the vector has ${query.vector.length} values; index ${index.index_name} takes ${index.dimension}` };
    return { ...base, vector: query.vector };
  });
  return { resolved, ...(embedded.textModel ? { textModel: embedded.textModel } : {}) };
}

/** QueryVectors for one resolved query; a refusal of this query (400, a client-side check) becomes its reason. */
async function answer(worker: WorkerContext, index: IndexRow, params: SearchParams, resolved: Resolved): Promise<Answered> {
  if (!resolved.vector) return { ...resolved, hits: [], vectors: [] };
  try {
    const vectors = await worker.oss.queryVectors({
      bucket: index.bucket,
      indexName: index.index_name,
      queryVector: resolved.vector,
      topK: vectorsToAsk(params, worker.config.QUERY_TOPK_MAX),
      // Checked at the door against OSS Vectors' filter grammar (SearchFilterSchema).
      ...(params.filter ? { filter: params.filter as VectorFilter } : {}),
      returnDistance: true,
      returnMetadata: true,
      index: shapeOf(index),
    });
    return { ...resolved, hits: grouped(vectors, params), vectors: vectors.slice(0, params.topK) };
  } catch (error) {
    if (error instanceof OssVectorsValidationError || (error instanceof OssVectorsRequestError && error.status === 400)) return { ...resolved, hits: [], vectors: [], error: error.message };
    throw error;
  }
}

/** Snippets for the kept hits whose vector carries none, from the documents' content in one query. */
async function fallbackSnippets(worker: WorkerContext, answered: readonly Answered[]): Promise<Map<string, string>> {
  const lacking = answered.flatMap((a) => a.hits.slice(0, HITS_KEPT)).filter((hit) => typeof hit.metadata?.snippet !== 'string').map((hit) => documentOf(hit.key));
  const heads = await worker.ledger.contentStarts([...new Set(lacking)], snippetSourceChars(FALLBACK_SNIPPET_CHARS));
  return new Map([...heads].map(([id, head]) => [id, snippetOf(head, FALLBACK_SNIPPET_CHARS)]));
}

/** The report's view of one answered query. */
function reportLine(a: Answered, snippets: ReadonlyMap<string, string>): SearchQueryResult {
  const hits = a.hits.slice(0, HITS_KEPT).map((hit) => {
    const { documentId, passageNo } = parseVectorKey(hit.key);
    const carried = hit.metadata?.snippet;
    const snippet = typeof carried === 'string' ? carried : snippets.get(documentId);
    return { documentId, ...(passageNo > 0 ? { passageNo } : {}), distance: hit.distance ?? null, ...(snippet ? { snippet } : {}) };
  });
  return { label: a.label, kind: a.kind, hits, ...(a.error ? { error: a.error } : {}) };
}

/** The archived JSON: the request, the generation searched and every hit with its metadata. */
function archiveBody(job: ChunkJob, index: IndexRow, params: SearchParams, answered: readonly Answered[], result: SearchResult): string {
  const lines = result.queries;
  return JSON.stringify({
    runId: job.run.run_id,
    index: index.logical_name,
    generation: index.index_name,
    searchedAt: new Date().toISOString(),
    topK: params.topK,
    ...(params.filter ? { filter: params.filter } : {}),
    ...(result.textModel ? { textModel: result.textModel } : {}),
    queries: answered.map((a, i) => ({
      ...a.query,
      label: a.label,
      kind: a.kind,
      ...(a.error ? { error: a.error } : {}),
      ...(lines[i]?.recall ? { recall: lines[i]?.recall } : {}),
      hits: a.hits.map((hit) => ({ key: hit.key, ...parseVectorKey(hit.key), distance: hit.distance ?? null, metadata: hit.metadata ?? {} })),
    })),
  });
}

/** Recall@topK of each answered query against an exact search in Postgres (the search asked for it). */
async function withRecall(worker: WorkerContext, index: IndexRow, params: SearchParams, answered: readonly Answered[], lines: SearchQueryResult[]): Promise<SearchResult['recall']> {
  const measured: (SearchQueryResult & { recall: NonNullable<SearchQueryResult['recall']> })[] = [];
  for (const [i, a] of answered.entries()) {
    if (!a.vector || a.error) continue;
    const exact = await worker.ledger.exactNeighbours(`[${a.vector.join(',')}]`, params.topK, index.metric);
    // Key by key, over the vectors as OSS answered them (before grouping): passages are neighbours of their own.
    const recall = compareTopK(a.vectors.map((hit) => ({ documentId: hit.key, distance: hit.distance ?? null })), exact, params.topK);
    const line = { ...(lines[i] as SearchQueryResult), recall };
    lines[i] = line;
    measured.push(line);
  }
  return summariseRecall(params.topK, measured.map((line) => ({ ...line.recall, label: line.label })));
}

/**
 * Runs a search run's chunk (see the file header). The generation searched is the logical index's
 * active one now (a rebuild may have switched since the run was opened).
 */
export async function searchChunk(job: ChunkJob): Promise<SearchResult> {
  const { worker, run } = job;
  const params = runParams(run, SearchParamsSchema);
  if (params.topK > worker.config.QUERY_TOPK_MAX) throw new LedgerShapeError(`topK ${params.topK} is above this deployment's QUERY_TOPK_MAX (${worker.config.QUERY_TOPK_MAX}, the account's OSS Vectors limit)`, { details: { runId: run.run_id } });
  const index = (await worker.ledger.activeIndex(job.index.logical_name)) ?? job.index;
  const { resolved, textModel } = await resolveQueries(worker, index, params.queries);
  const answered: Answered[] = [];
  for (const query of resolved) answered.push(await answer(worker, index, params, query));
  const snippets = await fallbackSnippets(worker, answered);
  const lines = answered.map((a) => reportLine(a, snippets));
  const recall = params.recall ? await withRecall(worker, index, params, answered, lines) : undefined;
  const result: SearchResult = { index: index.index_name, topK: params.topK, filtered: params.filter !== undefined, grouped: !params.passages, queries: lines, ...(textModel ? { textModel } : {}), ...(recall ? { recall } : {}) };
  if (!worker.archive) {
    worker.log.warn('search results not archived: the worker has no OSS_BUCKET');
    return result;
  }
  const key = `${worker.config.SEARCH_ARCHIVE_PREFIX}${index.logical_name}/${run.run_id}.json`;
  await worker.archive.put(key, archiveBody(job, index, params, answered, result), { contentType: 'application/json; charset=utf-8' });
  return { ...result, archiveKey: key };
}
