import type { ObjectInfo } from './types';

const META_PREFIX = 'x-oss-meta-';

function text(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = headers[name];
  if (Array.isArray(value)) return value.map(String).join(',');
  return typeof value === 'string' ? value : typeof value === 'number' ? String(value) : undefined;
}

/** Reads content type, length, ETag, time and `x-oss-meta-*` metadata from response headers. */
export function readObjectInfo(key: string, rawHeaders: object): ObjectInfo {
  const headers = rawHeaders as Readonly<Record<string, unknown>>;
  const meta: Record<string, string> = {};
  for (const name of Object.keys(headers)) {
    const value = text(headers, name);
    if (name.toLowerCase().startsWith(META_PREFIX) && value !== undefined) meta[name.slice(META_PREFIX.length).toLowerCase()] = value;
  }
  const length = Number(text(headers, 'content-length'));
  const modified = text(headers, 'last-modified');
  return {
    key,
    contentType: text(headers, 'content-type'),
    contentLength: Number.isFinite(length) ? length : undefined,
    etag: text(headers, 'etag'),
    lastModified: modified === undefined || Number.isNaN(Date.parse(modified)) ? undefined : new Date(modified),
    meta,
  };
}
