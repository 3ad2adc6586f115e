const UNRESERVED = /[A-Za-z0-9\-_.~/]/u;

function encodePath(text: string): string {
  let out = '';
  for (const char of text) {
    if (UNRESERVED.test(char)) out += char;
    else for (const byte of Buffer.from(char, 'utf8')) out += `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/**
 * The canonical URI of a vectors request: the resource ARN, not the request path, encoded as a
 * path (colons become `%3A`). Without a bucket it is the service resource of ListVectorBuckets.
 */
export function canonicalUri(region: string, accountId: string, bucket?: string): string {
  const resource = bucket === undefined ? `acs:ossvector:${region}::` : `acs:ossvector:${region}:${accountId}:${bucket}`;
  return encodePath(`/${resource}/`);
}
