// What a run asked for beyond its op and index, as `vector_sync.runs.params` keeps it: a verify's
// `heal`, a search's queries, topK, filter and whether to measure recall. validate checks the
// request with these schemas and stores the result; the worker parses it again where it reads it.
import * as z from 'zod';
import { DocumentIdSchema } from './identifiers';

/** Queries per search run: each one is a QueryVectors call, and the report shows every one. */
export const MAX_SEARCH_QUERIES = 20;
/** OSS Vectors' topK range (1–100). */
export const MAX_TOP_K = 100;
/** Longest query text: about what one embedding reads (gte-small stops at 512 tokens). */
export const MAX_QUERY_TEXT = 4_000;

/** OSS Vectors' filter limits (docs: ≤ 64 KB, ≤ 1,024 conditions, nesting ≤ 8). */
const FilterLimits = { bytes: 64 * 1024, conditions: 1024, depth: 8 } as const;
const OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$exists']);

/** A label for the report: printable, short. */
const LabelSchema = z
  .string()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused
  .refine((value) => !/[\u0000-\u001f\u007f]/u.test(value), { message: 'label must not contain control characters' });

/** One query of a search run: a text to embed, a vector as it is, or a document's own embedding. */
export const SearchQuerySchema = z.union(
  [
    z.strictObject({ text: z.string().trim().min(1, 'text is empty').max(MAX_QUERY_TEXT, `text is longer than ${MAX_QUERY_TEXT} characters`), label: LabelSchema.optional() }),
    z.strictObject({ vector: z.array(z.number().finite('vector values must be finite numbers')).min(1, 'vector is empty').max(4096, 'vector has more than 4096 values'), label: LabelSchema.optional() }),
    z.strictObject({ documentId: DocumentIdSchema, label: LabelSchema.optional() }),
  ],
  { message: 'each query is {"text": ...}, {"vector": [...]} or {"documentId": ...}' },
);
export type SearchQuery = z.infer<typeof SearchQuerySchema>;

/** The kind of a query and what the report calls it when it has no label. */
export function describeQuery(query: SearchQuery): { kind: 'text' | 'vector' | 'document'; label: string } {
  if ('text' in query) return { kind: 'text', label: query.label ?? (query.text.length > 80 ? `${query.text.slice(0, 79)}…` : query.text) };
  if ('vector' in query) return { kind: 'vector', label: query.label ?? `vector of ${query.vector.length} values` };
  return { kind: 'document', label: query.label ?? `document ${query.documentId}` };
}

/** Walks a filter as OSS Vectors reads it; returns the first problem, or undefined. */
function filterProblem(filter: unknown, depth: number, count: { conditions: number }): string | undefined {
  if (depth > FilterLimits.depth) return `filter nests deeper than ${FilterLimits.depth} levels`;
  if (typeof filter !== 'object' || filter === null || Array.isArray(filter)) return 'a filter is a JSON object';
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      if (!Array.isArray(value) || value.length === 0) return `${key} takes a non-empty array of filters`;
      for (const inner of value) {
        const problem = filterProblem(inner, depth + 1, count);
        if (problem) return problem;
      }
      continue;
    }
    if (key.startsWith('$')) return `unknown filter operator ${key}`;
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return `the condition on ${key} must be an object such as {"$eq": "value"}`;
    for (const [op, operand] of Object.entries(value)) {
      count.conditions += 1;
      if (!OPERATORS.has(op)) return `unknown operator ${op} on ${key} (use $eq, $ne, $in, $nin or $exists)`;
      if ((op === '$eq' || op === '$ne') && typeof operand !== 'string') return `${op} on ${key} takes a string (metadata values are strings)`;
      if ((op === '$in' || op === '$nin') && !(Array.isArray(operand) && operand.length > 0 && operand.every((item) => typeof item === 'string'))) return `${op} on ${key} takes a non-empty array of strings`;
      if (op === '$exists' && typeof operand !== 'boolean') return `$exists on ${key} takes true or false`;
    }
  }
  if (count.conditions > FilterLimits.conditions) return `filter has more than ${FilterLimits.conditions} conditions`;
  return undefined;
}

/** A QueryVectors metadata filter, checked as OSS Vectors would (operators, operands, size, depth). */
export const SearchFilterSchema = z.record(z.string(), z.unknown()).superRefine(function checkFilter(filter, ctx) {
  const bytes = new TextEncoder().encode(JSON.stringify(filter)).length;
  if (bytes > FilterLimits.bytes) {
    ctx.addIssue({ code: 'custom', message: `filter is ${bytes} bytes; at most ${FilterLimits.bytes}` });
    return;
  }
  const problem = filterProblem(filter, 1, { conditions: 0 });
  if (problem) ctx.addIssue({ code: 'custom', message: problem });
});

/** The fields of a search request that become the run's params. */
export const searchParamsShape = {
  queries: z.array(SearchQuerySchema).min(1, 'queries is empty').max(MAX_SEARCH_QUERIES, `queries holds more than ${MAX_SEARCH_QUERIES} queries`),
  topK: z.number().int('topK must be a whole number').min(1, 'topK must be at least 1').max(MAX_TOP_K, `topK must be at most ${MAX_TOP_K}`).default(10),
  filter: SearchFilterSchema.optional(),
  /** Also run each query as an exact search in Postgres and report recall@topK. */
  recall: z.boolean().default(false),
  /** Return the passages (vectors) as they are; by default hits are grouped by document, best passage first. */
  passages: z.boolean().default(false),
};

/** Recall compares with an exact search in Postgres, which does not apply OSS filters. */
export function recallWithoutFilter(params: { recall: boolean; filter?: unknown }): boolean {
  return !(params.recall && params.filter !== undefined);
}
export const RECALL_WITH_FILTER = { message: 'recall is measured without a filter: drop one of them', path: ['recall'] };

/** `params` of a search run. */
export const SearchParamsSchema = z.strictObject(searchParamsShape).refine(recallWithoutFilter, RECALL_WITH_FILTER);
export type SearchParams = z.output<typeof SearchParamsSchema>;

/** `params` of a verify run: `heal: false` reports drift and changes nothing. */
export const VerifyParamsSchema = z.strictObject({ heal: z.boolean().default(true) });
export type VerifyParams = z.output<typeof VerifyParamsSchema>;
