import { parseRetryAfter } from '../../retry';
import { OssVectorsAccessDeniedError, OssVectorsNotFoundError, OssVectorsRequestError, OssVectorsUnavailableError } from './errors';
import type { ServiceErrorContext } from './errors';
import type { HttpAnswer } from './sendHttp';

type ErrorFields = Partial<Record<'Code' | 'Message' | 'RequestId' | 'EC', string>>;

function pickStrings(value: unknown): ErrorFields {
  if (typeof value !== 'object' || value === null) return {};
  const record = value as Record<string, unknown>;
  const out: ErrorFields = {};
  for (const key of ['Code', 'Message', 'RequestId', 'EC'] as const) if (typeof record[key] === 'string') out[key] = record[key];
  return out;
}

function fromXml(text: string): ErrorFields {
  const out: ErrorFields = {};
  for (const key of ['Code', 'Message', 'RequestId', 'EC'] as const) {
    const match = new RegExp(`<${key}>([^<]*)</${key}>`, 'u').exec(text);
    if (match?.[1] !== undefined) out[key] = match[1];
  }
  return out;
}

/** Reads OSS's error from the body: `{"Error":{…}}`, a flat object, or XML `<Error>`. */
function readFields(text: string): ErrorFields {
  if (text.trimStart().startsWith('<')) return fromXml(text);
  try {
    const parsed: unknown = JSON.parse(text);
    const nested = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>).Error : undefined;
    return nested === undefined ? pickStrings(parsed) : pickStrings(nested);
  } catch {
    return {};
  }
}

function header(answer: HttpAnswer, name: string): string | undefined {
  const value = answer.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/**
 * Turns a non-2xx answer into a typed error: 429 and 5xx are transient, other statuses permanent.
 * A bodiless answer carries the error base64-coded in `x-oss-err`.
 */
export function parseServiceError(operation: string, answer: HttpAnswer): OssVectorsRequestError | OssVectorsUnavailableError {
  const encoded = header(answer, 'x-oss-err');
  const text = answer.body.length > 0 ? answer.body.toString('utf8') : encoded ? Buffer.from(encoded, 'base64').toString('utf8') : '';
  const fields = readFields(text);
  const requestId = fields.RequestId ?? header(answer, 'x-oss-request-id');
  const ec = fields.EC ?? header(answer, 'x-oss-ec');
  const retryAfterMs = parseRetryAfter(header(answer, 'retry-after'));
  const context: ServiceErrorContext = {
    operation,
    status: answer.status,
    code: fields.Code ?? `Http${answer.status}`,
    message: fields.Message ?? (text.slice(0, 200) || 'no error body'),
    ...(requestId ? { requestId } : {}),
    ...(ec ? { ec } : {}),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
  };
  if (answer.status === 429 || answer.status >= 500) return new OssVectorsUnavailableError(context);
  if (answer.status === 404) return new OssVectorsNotFoundError(context);
  if (answer.status === 403) return new OssVectorsAccessDeniedError(context);
  return new OssVectorsRequestError(context);
}
