import { isIP } from 'node:net';
import type { ObjectAddress } from './types';

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

function hostName(host: string): string {
  if (host.startsWith('[')) return host.slice(1, host.indexOf(']'));
  const colon = host.lastIndexOf(':');
  return colon > 0 && host.indexOf(':') === colon ? host.slice(0, colon) : host;
}

/**
 * Finds bucket and key. A host that names no bucket (an IP, `localhost`, a name without a dot)
 * means path style, `/<bucket>/<key>` (ali-oss `sldEnable`); any other host is virtual-hosted,
 * `<bucket>.<domain>` with the key as the path, as on OSS itself. The raw path is read so that
 * `..` or `//` in a key survive. Undefined when no bucket is named or the path is not decodable.
 */
export function resolveAddress(hostHeader: string, rawPath: string): ObjectAddress | undefined {
  const host = hostName(hostHeader.trim().toLowerCase());
  const path = rawPath.split('?', 1)[0] ?? '/';
  if (!path.startsWith('/')) return undefined;
  const pathStyle = host === '' || host === 'localhost' || isIP(host) !== 0 || !host.includes('.');
  if (pathStyle) {
    const slash = path.indexOf('/', 1);
    const bucket = decode(slash < 0 ? path.slice(1) : path.slice(1, slash));
    const key = slash < 0 ? '' : decode(path.slice(slash + 1));
    if (!bucket || key === undefined) return undefined;
    return { bucket, key, style: 'path' };
  }
  const bucket = host.slice(0, host.indexOf('.'));
  const key = decode(path.slice(1));
  if (bucket === '' || key === undefined) return undefined;
  return { bucket, key, style: 'virtual-hosted' };
}
