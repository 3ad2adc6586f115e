import type { PatternCondition } from '../../shared/routing';

type Comparison = '=' | '<' | '<=' | '>' | '>=';

function ipv4ToNumber(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let out = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/u.test(part) || Number(part) > 255) return undefined;
    out = out * 256 + Number(part);
  }
  return out;
}

function inCidr(value: unknown, cidr: string): boolean {
  const [base = '', bitsText = '32'] = cidr.split('/');
  const ip = typeof value === 'string' ? ipv4ToNumber(value) : undefined;
  const net = ipv4ToNumber(base);
  const bits = Number(bitsText);
  if (ip === undefined || net === undefined || !Number.isInteger(bits) || bits < 0 || bits > 32) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(ip / size) === Math.floor(net / size);
}

function compare(value: number, op: Comparison, bound: number): boolean {
  if (op === '=') return value === bound;
  if (op === '<') return value < bound;
  if (op === '<=') return value <= bound;
  if (op === '>') return value > bound;
  return value >= bound;
}

function inNumericRange(value: unknown, spec: readonly (string | number)[]): boolean {
  if (typeof value !== 'number' || !Number.isFinite(value)) return false;
  for (let i = 0; i + 1 < spec.length; i += 2) {
    if (!compare(value, spec[i] as Comparison, Number(spec[i + 1]))) return false;
  }
  return true;
}

function anythingBut(value: unknown, spec: Extract<PatternCondition, { 'anything-but': unknown }>['anything-but']): boolean {
  if (value === undefined) return false;
  if (typeof spec === 'object' && spec !== null && 'prefix' in spec) return typeof value === 'string' && !value.startsWith(spec.prefix);
  if (typeof spec === 'object' && spec !== null && 'suffix' in spec) return typeof value === 'string' && !value.endsWith(spec.suffix);
  if (Array.isArray(spec)) return !spec.includes(value as string | number);
  return value !== spec;
}

/**
 * Whether one present or absent event value satisfies one pattern condition. `value` is
 * `undefined` when the key is absent; only `exists: false` and `anything-but` look at absence.
 */
export function matchCondition(condition: PatternCondition, value: unknown): boolean {
  if (condition === null) return value === null;
  if (typeof condition !== 'object') return value === condition;
  if ('exists' in condition) return condition.exists ? value !== undefined : value === undefined;
  if ('prefix' in condition) return typeof value === 'string' && value.startsWith(condition.prefix);
  if ('suffix' in condition) return typeof value === 'string' && value.endsWith(condition.suffix);
  if ('contains' in condition) return typeof value === 'string' && value.includes(condition.contains);
  if ('anything-but' in condition) return anythingBut(value, condition['anything-but']);
  if ('numeric' in condition) return inNumericRange(value, condition.numeric);
  if ('cidr' in condition) return inCidr(value, condition.cidr);
  return false;
}
