/** One query parameter as sent; `value` is undefined for a bare key such as `?acl`. */
export interface QueryParameter {
  readonly key: string;
  readonly value: string | undefined;
}

function decode(part: string): string {
  try {
    return decodeURIComponent(part);
  } catch {
    return part;
  }
}

/**
 * Splits the query of a raw request path into decoded parameters, in order. Unlike
 * URLSearchParams it keeps `+` as a plus: OSS signs spaces as `%20` and never as `+`.
 */
export function parseRawQuery(rawPath: string): QueryParameter[] {
  const at = rawPath.indexOf('?');
  if (at < 0) return [];
  return rawPath
    .slice(at + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => {
      const eq = pair.indexOf('=');
      return eq < 0 ? { key: decode(pair), value: undefined } : { key: decode(pair.slice(0, eq)), value: decode(pair.slice(eq + 1)) };
    });
}
