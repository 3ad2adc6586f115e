// A vector checked once and serialised once for PutVectors: the worker checks every vector before
// it writes (a refused one is parked with its reason), so the client must not check and serialise
// it a second time when it sends it.
import { checkKey, checkMetadata, checkValues } from './checks';
import { ValidationReasons } from './constants';
import { OssVectorsValidationError } from './errors';
import type { OssVectorsLimits } from './options';
import type { IndexShape, VectorInput, VectorMetadata } from './types';

/**
 * One vector to write whose values arrive as JSON text, as pgvector prints them (`[0.1,-2,3e-05]`):
 * parsed once to be checked, then sent as that very text (no second serialisation, and pgvector's
 * shortest float32 digits make a body about half the size of JSON.stringify's float64 digits).
 */
export interface VectorTextInput {
  readonly key: string;
  readonly dataText: string;
  readonly metadata?: VectorMetadata;
}

/**
 * A vector that passed the checks of one index shape, with its PutVectors JSON; made by
 * `prepareVector`. It keeps no numbers: a batch in flight holds only its JSON, and the parsed
 * values die young.
 */
export class PreparedVector {
  constructor(
    readonly key: string,
    // Private, so the type is nominal: a look-alike object literal is not taken for a checked vector.
    private readonly wire: string,
  ) {}

  /** `{"key":…,"data":{"float32":[…]},"metadata":{…}}`, spliced into the body as it is. */
  get json(): string {
    return this.wire;
  }
}

function isText(input: VectorInput | VectorTextInput): input is VectorTextInput {
  return typeof (input as Partial<VectorTextInput>).dataText === 'string';
}

/** The values of a text input, parsed; undefined when the text is not a JSON array. */
function parseValues(text: string): unknown[] | undefined {
  try {
    const values: unknown = JSON.parse(text);
    return Array.isArray(values) ? values : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a vector against an index shape and the limits (key, dimension, every value as float32,
 * zero on cosine, metadata) and serialises it once. Returns the refusal instead of throwing, so a
 * caller can park a bad vector and send the rest.
 */
export function prepareVector(input: VectorInput | VectorTextInput, shape: IndexShape, limits: OssVectorsLimits): PreparedVector | OssVectorsValidationError {
  const keyProblem = checkKey(input.key, limits);
  if (keyProblem) return keyProblem;
  let values: ArrayLike<unknown>;
  let dataJson: string;
  if (isText(input)) {
    const parsed = parseValues(input.dataText);
    if (parsed === undefined) return new OssVectorsValidationError(ValidationReasons.InvalidArgument, `the values of vector ${input.key} are not a JSON array`, input.key);
    values = parsed;
    // JSON.parse took the whole text as an array (of numbers, checked next): it can be spliced in as it is.
    dataJson = input.dataText;
  } else {
    values = input.data;
    dataJson = JSON.stringify(Array.isArray(input.data) ? input.data : Array.from(input.data));
  }
  const valueProblem = checkValues(input.key, values, shape);
  if (valueProblem) return valueProblem;
  const metadataJson = input.metadata === undefined ? undefined : JSON.stringify(input.metadata);
  const metadataProblem = checkMetadata(input.key, input.metadata, shape, limits, metadataJson);
  if (metadataProblem) return metadataProblem;
  const json = `{"key":${JSON.stringify(input.key)},"data":{"float32":${dataJson}}${metadataJson === undefined ? '' : `,"metadata":${metadataJson}`}}`;
  return new PreparedVector(input.key, json);
}

/** The PutVectors body of prepared vectors: their JSON joined, never serialised again. */
export function putVectorsBody(indexName: string, vectors: readonly PreparedVector[]): string {
  return `{"indexName":${JSON.stringify(indexName)},"vectors":[${vectors.map((vector) => vector.json).join(',')}]}`;
}
