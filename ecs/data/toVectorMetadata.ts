import type { MetadataValue, VectorMetadata } from '../../shared/clients/oss-vectors';

function scalar(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function convert(value: unknown): MetadataValue | undefined {
  const single = scalar(value);
  if (single !== undefined) return single;
  if (Array.isArray(value)) {
    const items = value.map(scalar);
    if (items.every((item): item is string => item !== undefined)) return items;
  }
  if (value === null) return undefined;
  // OSS metadata values are strings or string arrays: anything nested travels as its JSON.
  return JSON.stringify(value);
}

/**
 * The metadata a vector carries: the document's metadata (numbers and booleans as strings, nested
 * values as JSON, nulls left out) plus `content_hash`, which verify compares. Size and key limits
 * are left to checkVector, so an oversized document becomes a recorded rejection.
 */
export function toVectorMetadata(documentMetadata: Readonly<Record<string, unknown>>, contentHash: string): VectorMetadata {
  const out: Record<string, MetadataValue> = {};
  for (const [name, value] of Object.entries(documentMetadata)) {
    if (name === 'content_hash') continue;
    const converted = convert(value);
    if (converted !== undefined) out[name] = converted;
  }
  out.content_hash = contentHash;
  return out;
}
