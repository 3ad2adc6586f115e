const SECRET_KEY = /secret|password|passwd|token|api[-_]?key|authorization|credential|signature/iu;
const URL_PASSWORD = /(\b[a-z][a-z0-9+.-]*:\/\/[^:/\s@]+:)[^@\s/]+@/giu;

/** Replaces values under secret-looking keys and passwords inside URLs, at any depth. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return value.replace(URL_PASSWORD, '$1***@');
  if (value === null || typeof value !== 'object') return value;
  // Past the limit nothing is inspected, so nothing may be shown: returning the raw object leaked
  // deep secrets and handed cyclic objects to JSON.stringify, which throws.
  if (depth > 8) return '[Truncated]';
  if (value instanceof Error) return { name: value.name, message: redact(value.message, depth + 1) };
  // A Date or URL has no enumerable fields and came out as {}; serialise it as JSON.stringify would.
  if (typeof (value as { toJSON?: unknown }).toJSON === 'function') return redact((value as { toJSON(): unknown }).toJSON(), depth + 1);
  if (Array.isArray(value)) return value.map((item) => redact(item, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) && item !== undefined && item !== null && item !== '' ? '***' : redact(item, depth + 1);
  }
  return out;
}
