import { EmulatorLimits } from './constants';
import { CloudAssistantApiError } from './errors';

const KEY = /^[A-Za-z0-9_-]+$/u;

/**
 * Reads the `Parameters` query value (a JSON object, as the SDK sends it) with the documented
 * rules: at most 10 pairs, keys 1-64 of `[a-zA-Z0-9_-]` and unique regardless of case, string
 * (or number/boolean) values, and only with EnableParameter.
 */
export function parseParameters(raw: string | null, enableParameter: boolean): Record<string, string> {
  if (raw === null || raw === '' || raw === '{}') return {};
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new CloudAssistantApiError(400, 'InvalidParameter.Parameters', 'Parameters is not a JSON object');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new CloudAssistantApiError(400, 'InvalidParameter.Parameters', 'Parameters is not a JSON object');
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return {};
  if (!enableParameter) throw new CloudAssistantApiError(400, 'Parameter.Disabled', 'Parameters were given but EnableParameter is false');
  if (entries.length > EmulatorLimits.maxParameters) {
    throw new CloudAssistantApiError(403, 'ParameterCount.ExceedLimit', `${entries.length} parameters given; the limit is ${EmulatorLimits.maxParameters}`);
  }
  const seen = new Set<string>();
  const parameters: Record<string, string> = {};
  for (const [key, item] of entries) {
    if (key.length > EmulatorLimits.maxParameterKeyLength) throw new CloudAssistantApiError(403, 'ParameterKey.ExceedLimit', `parameter name ${key} is longer than 64 characters`);
    if (!KEY.test(key)) throw new CloudAssistantApiError(400, 'InvalidParameter.Parameters', `parameter name ${JSON.stringify(key)} must be of [a-zA-Z0-9_-]`);
    if (seen.has(key.toLowerCase())) throw new CloudAssistantApiError(403, 'ParameterKey.Duplicate', `parameter ${key} is given twice (names are case-insensitive)`);
    seen.add(key.toLowerCase());
    if (typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') {
      throw new CloudAssistantApiError(403, 'ParameterType.NotSupported', `parameter ${key} must be a string, number or boolean`);
    }
    parameters[key] = String(item);
  }
  return parameters;
}
