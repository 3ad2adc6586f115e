import { EmulatorLimits } from './constants';
import { CloudAssistantApiError } from './errors';
import { parseParameters } from './parseParameters';
import { checkPlaceholders } from './renderScript';
import type { RunCommandSpec } from './types';

const COMMAND_TYPES = new Set(['RunShellScript', 'RunPowerShellScript', 'RunBatScript']);
const ASCII = /^[\x20-\x7e]+$/u;

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new CloudAssistantApiError(400, `MissingParam.${name}`, `${name} is required`);
  return value;
}

function limited(query: URLSearchParams, name: string, limit: number): string | undefined {
  const value = query.get(name) ?? undefined;
  if (value !== undefined && value.length > limit) throw new CloudAssistantApiError(400, `InvalidParam.${name}`, `${name} is longer than ${limit} characters`);
  return value;
}

function instanceIdsOf(query: URLSearchParams): string[] {
  const ids: string[] = [];
  for (let n = 1; query.has(`InstanceId.${n}`); n += 1) {
    const id = query.get(`InstanceId.${n}`) ?? '';
    if (id !== '') ids.push(id);
  }
  if (ids.length === 0) throw new CloudAssistantApiError(400, 'MissingParam.InstanceId', 'InstanceId.N is required');
  if (ids.length > EmulatorLimits.maxInstances) throw new CloudAssistantApiError(403, 'InstanceIds.ExceedLimit', `${ids.length} instances; the limit is ${EmulatorLimits.maxInstances}`);
  return [...new Set(ids)];
}

function timeoutOf(query: URLSearchParams): number {
  const raw = query.get('Timeout');
  if (raw === null) return EmulatorLimits.defaultTimeoutSeconds;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new CloudAssistantApiError(400, 'InvalidParam.Timeout', 'Timeout must be a positive whole number of seconds');
  return value;
}

/** The request's API parameters without the token, in a fixed order: what idempotency compares. */
function fingerprintOf(query: URLSearchParams): string {
  const pairs = [...query.entries()].filter(([key]) => key !== 'ClientToken').sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return JSON.stringify(pairs);
}

/**
 * Reads and checks a RunCommand query: required fields, the 24 KB limit on content plus
 * parameters after Base64, parameter and placeholder rules, the ClientToken form and the length
 * limits, each with its documented error code.
 */
export function parseRunCommand(query: URLSearchParams): RunCommandSpec {
  const type = required(query, 'Type');
  if (!COMMAND_TYPES.has(type)) throw new CloudAssistantApiError(400, 'InvalidParam.Type', `Type ${type} is not RunShellScript, RunPowerShellScript or RunBatScript`);
  const raw = required(query, 'CommandContent');
  const base64 = (query.get('ContentEncoding') ?? '').toLowerCase() === 'base64';
  const content = base64 ? Buffer.from(raw, 'base64').toString('utf8') : raw;
  const parametersRaw = query.get('Parameters');
  const contentBytes = (base64 ? raw : Buffer.from(raw, 'utf8').toString('base64')).length;
  const parameterBytes = parametersRaw ? Buffer.from(parametersRaw, 'utf8').toString('base64').length : 0;
  if (contentBytes + parameterBytes > EmulatorLimits.maxContentBase64Bytes) {
    throw new CloudAssistantApiError(403, 'CmdContent.ExceedLimit', `content and parameters are ${contentBytes + parameterBytes} bytes after Base64; the limit is ${EmulatorLimits.maxContentBase64Bytes}`);
  }
  const enableParameter = query.get('EnableParameter') === 'true';
  const parameters = parseParameters(parametersRaw, enableParameter);
  if (enableParameter) checkPlaceholders(content, parameters);
  const clientToken = query.get('ClientToken') ?? undefined;
  if (clientToken !== undefined && (!ASCII.test(clientToken) || clientToken.length > EmulatorLimits.maxClientTokenLength)) {
    throw new CloudAssistantApiError(400, 'InvalidClientToken.Malformed', 'ClientToken must be 1-64 ASCII characters');
  }
  const repeatMode = query.get('RepeatMode') ?? 'Once';
  if (repeatMode !== 'Once') throw new CloudAssistantApiError(400, 'OperationDenied.RepeatMode', `the local emulator runs RepeatMode Once only (got ${repeatMode})`);
  return {
    type,
    content,
    instanceIds: instanceIdsOf(query),
    enableParameter,
    parameters,
    timeoutSeconds: timeoutOf(query),
    name: limited(query, 'Name', EmulatorLimits.maxNameLength) ?? '',
    description: limited(query, 'Description', EmulatorLimits.maxDescriptionLength) ?? '',
    workingDir: limited(query, 'WorkingDir', EmulatorLimits.maxWorkingDirLength),
    clientToken,
    fingerprint: fingerprintOf(query),
  };
}
