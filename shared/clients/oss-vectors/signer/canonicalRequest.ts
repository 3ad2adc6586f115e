import { UNSIGNED_PAYLOAD } from './constants';

/** The parts of a request that a V4 signature covers. */
export interface CanonicalRequestInput {
  readonly method: string;
  /** From `canonicalUri`. */
  readonly uri: string;
  /** From `canonicalQuery`. */
  readonly query: string;
  /** Request headers by lower-case name. */
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Extra signed header names (e.g. `host`), lower case. */
  readonly additionalHeaders?: readonly string[];
}

function isSigned(name: string, additional: ReadonlySet<string>): boolean {
  return name.startsWith('x-oss-') || name === 'content-type' || name === 'content-md5' || additional.has(name);
}

/** The six-part canonical request of OSS V4 (header block, additional headers, payload hash). */
export function canonicalRequest(input: CanonicalRequestInput): string {
  const additionalNames = [...new Set((input.additionalHeaders ?? []).map((name) => name.toLowerCase()))].sort();
  const additional = new Set(additionalNames);
  const lines = Object.entries(input.headers)
    .map(([name, value]) => [name.toLowerCase(), value] as const)
    .filter((entry): entry is readonly [string, string] => entry[1] !== undefined && isSigned(entry[0], additional))
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([name, value]) => `${name}:${value.trim()}\n`)
    .join('');
  const payload = input.headers['x-oss-content-sha256'] ?? UNSIGNED_PAYLOAD;
  return [input.method.toUpperCase(), input.uri, input.query, lines, additionalNames.join(';'), payload].join('\n');
}
