import type { StoredMetadata } from './types';

/** A compiled filter: true when a vector's metadata matches. */
export type MetadataPredicate = (metadata: StoredMetadata | undefined) => boolean;

type Value = string | readonly string[] | undefined;

function values(value: Value): readonly string[] {
  return value === undefined ? [] : typeof value === 'string' ? [value] : value;
}

function condition(key: string, op: string, operand: unknown): MetadataPredicate {
  switch (op) {
    case '$eq':
      return (metadata) => values(metadata?.[key]).includes(operand as string);
    case '$ne':
      return (metadata) => !values(metadata?.[key]).includes(operand as string);
    case '$in': {
      const set = new Set(operand as string[]);
      return (metadata) => values(metadata?.[key]).some((item) => set.has(item));
    }
    case '$nin': {
      const set = new Set(operand as string[]);
      return (metadata) => !values(metadata?.[key]).some((item) => set.has(item));
    }
    default:
      return (metadata) => (metadata?.[key] !== undefined) === operand;
  }
}

/**
 * Compiles a filter already passed by `checkFilter` into one predicate. Keys of one object are
 * ANDed; on an array value `$eq`/`$in` match any element and `$ne`/`$nin` require that none
 * matches (a missing key satisfies `$ne`/`$nin`).
 */
export function compileFilter(filter: Readonly<Record<string, unknown>>): MetadataPredicate {
  const parts: MetadataPredicate[] = [];
  for (const [key, value] of Object.entries(filter)) {
    if (key === '$and' || key === '$or') {
      const children = (value as Record<string, unknown>[]).map(compileFilter);
      parts.push(key === '$and' ? (m) => children.every((child) => child(m)) : (m) => children.some((child) => child(m)));
      continue;
    }
    for (const [op, operand] of Object.entries(value as Record<string, unknown>)) parts.push(condition(key, op, operand));
  }
  return (metadata) => parts.every((part) => part(metadata));
}
