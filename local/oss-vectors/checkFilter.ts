import { OssVectorsApiError } from './errors';

/** Limits a filter must respect. */
export interface FilterLimits {
  readonly maxFilterBytes: number;
  readonly maxFilterConditions: number;
  readonly maxFilterDepth: number;
}

const OPERATORS = new Set(['$eq', '$ne', '$in', '$nin', '$exists']);

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isStringList(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every((item) => typeof item === 'string');
}

function checkOperand(op: string, value: unknown, key: string): void {
  const ok = op === '$exists' ? typeof value === 'boolean' : op === '$in' || op === '$nin' ? isStringList(value) : typeof value === 'string';
  if (!ok) throw new OssVectorsApiError('InvalidArgument', `filter operand of ${op} on ${key} has the wrong type`);
}

/**
 * Checks a QueryVectors filter: known operators with operands of the documented types, `$and` /
 * `$or` with non-empty arrays, only filterable keys, and the size, condition and depth limits.
 */
export function checkFilter(filter: unknown, filterable: (key: string) => boolean, limits: FilterLimits): void {
  const bytes = Buffer.byteLength(JSON.stringify(filter) ?? '');
  if (bytes > limits.maxFilterBytes) throw new OssVectorsApiError('InvalidArgument', `filter is ${bytes} bytes; at most ${limits.maxFilterBytes}`);
  let conditions = 0;
  const visit = (node: unknown, depth: number): void => {
    if (depth > limits.maxFilterDepth) throw new OssVectorsApiError('InvalidArgument', `filter nests deeper than ${limits.maxFilterDepth} levels`);
    if (!isObject(node)) throw new OssVectorsApiError('InvalidArgument', 'a filter must be a JSON object');
    for (const [key, value] of Object.entries(node)) {
      if (key === '$and' || key === '$or') {
        if (!Array.isArray(value) || value.length === 0) throw new OssVectorsApiError('InvalidArgument', `${key} needs a non-empty array of filters`);
        for (const child of value) visit(child, depth + 1);
        continue;
      }
      if (key.startsWith('$')) throw new OssVectorsApiError('InvalidArgument', `unknown filter operator ${key}`);
      if (!filterable(key)) throw new OssVectorsApiError('InvalidArgument', `metadata key ${key} is not filterable`);
      if (!isObject(value) || Object.keys(value).length === 0) throw new OssVectorsApiError('InvalidArgument', `the condition on ${key} must be an object of operators`);
      for (const [op, operand] of Object.entries(value)) {
        if (!OPERATORS.has(op)) throw new OssVectorsApiError('InvalidArgument', `unknown filter operator ${op}`);
        checkOperand(op, operand, key);
        conditions += 1;
      }
      if (conditions > limits.maxFilterConditions) throw new OssVectorsApiError('InvalidArgument', `filter has more than ${limits.maxFilterConditions} conditions`);
    }
  };
  visit(filter, 1);
}
