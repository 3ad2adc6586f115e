// The API's query parameters: RunCommand with its Parameters and script placeholders, and the
// Describe calls' paging, each checked against the documented limits.
import { CloudAssistantApiError } from './errors';

/** The documented RunCommand and Describe limits the emulator enforces. */
export const EmulatorLimits = {
  maxContentBase64Bytes: 24 * 1024,
  maxParameters: 10,
  maxParameterKeyLength: 64,
  maxPlaceholders: 20,
  maxInstances: 100,
  maxClientTokenLength: 64,
  maxNameLength: 128,
  maxDescriptionLength: 512,
  maxWorkingDirLength: 200,
  maxOutputBytes: 24 * 1024,
  maxResults: 50,
  defaultMaxResults: 10,
  defaultTimeoutSeconds: 60,
  minTimeoutSeconds: 10,
  maxUsernameLength: 255,
  maxLauncherBytes: 1024,
  maxTags: 20,
  maxTagKeyLength: 64,
  maxTagValueLength: 128,
} as const;

/** A RunCommand request after its parameters were checked. */
export interface RunCommandSpec {
  readonly type: string;
  /** The script as sent (decoded from Base64 when ContentEncoding was Base64). */
  readonly content: string;
  readonly instanceIds: readonly string[];
  readonly enableParameter: boolean;
  readonly parameters: Readonly<Record<string, string>>;
  readonly timeoutSeconds: number;
  readonly name: string;
  readonly description: string;
  readonly workingDir: string | undefined;
  readonly clientToken: string | undefined;
  /** The request's API parameters, for the idempotency comparison. */
  readonly fingerprint: string;
}

const KEY = /^[A-Za-z0-9_-]+$/u;

/**
 * Reads the `Parameters` query value (a JSON object, as the SDK sends it) with the documented
 * rules: at most 10 pairs, keys 1-64 of `[a-zA-Z0-9_-]` and unique regardless of case, string
 * (or number/boolean) values, and only with EnableParameter.
 */
function parseParameters(raw: string | null, enableParameter: boolean): Record<string, string> {
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

/** `{{ name }}`: spaces inside the braces are ignored. */
const PLACEHOLDER = /\{\{\s*([a-z0-9_-]+|acs::[a-z]+)\s*\}\}/giu;

/** Built-in values for one instance's run, keyed by lower-case name (`acs::instanceid`). */
type BuiltIns = Readonly<Record<string, string>>;

/** The custom placeholder names in a script, lower-cased. */
function placeholdersOf(content: string): Set<string> {
  const names = new Set<string>();
  for (const match of content.matchAll(PLACEHOLDER)) {
    const name = (match[1] ?? '').toLowerCase();
    if (!name.startsWith('acs::')) names.add(name);
  }
  return names;
}

/**
 * Checks parameters against the script's placeholders: every placeholder needs a value
 * (`Parameter.MissingValue`), every value a placeholder (`Parameter.NotMatched`), at most 20.
 */
export function checkPlaceholders(content: string, parameters: Readonly<Record<string, string>>): void {
  const placeholders = placeholdersOf(content);
  if (placeholders.size > EmulatorLimits.maxPlaceholders) {
    throw new CloudAssistantApiError(403, 'ParameterCount.ExceedLimit', `the script has ${placeholders.size} parameters; the limit is ${EmulatorLimits.maxPlaceholders}`);
  }
  const given = new Set(Object.keys(parameters).map((key) => key.toLowerCase()));
  const extra = [...given].filter((key) => !placeholders.has(key));
  if (extra.length > 0) throw new CloudAssistantApiError(403, 'Parameter.NotMatched', `parameters not used by the script: ${extra.join(', ')}`);
  const missing = [...placeholders].filter((name) => !given.has(name));
  if (missing.length > 0) throw new CloudAssistantApiError(400, 'Parameter.MissingValue', `no value for the parameters: ${missing.join(', ')}`);
}

/**
 * Replaces each placeholder with its value as plain text, as Cloud Assistant does: nothing is
 * quoted or evaluated, so a value like `$(reboot)` reaches the shell as written and the script
 * must quote it. Names match regardless of case; an unknown built-in is left as written.
 */
export function renderScript(content: string, parameters: Readonly<Record<string, string>>, builtIns: BuiltIns): string {
  const values = new Map<string, string>(Object.entries(parameters).map(([key, value]) => [key.toLowerCase(), value]));
  return content.replace(PLACEHOLDER, (whole, name: string) => {
    const key = name.toLowerCase();
    return values.get(key) ?? builtIns[key] ?? whole;
  });
}

const COMMAND_TYPES = new Set(['RunShellScript', 'RunPowerShellScript', 'RunBatScript']);
const ASCII = /^[\x20-\x7e]+$/u;

function required(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new CloudAssistantApiError(400, `MissingParam.${name}`, `${name} is required`);
  return value;
}

function limited(query: URLSearchParams, name: string, limit: number): string | undefined {
  const value = query.get(name) ?? undefined;
  if (value !== undefined && value.length > limit) throw new CloudAssistantApiError(400, `InvalidParameter.${name}`, `${name} is longer than ${limit} characters`);
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
  if (!Number.isInteger(value) || value < EmulatorLimits.minTimeoutSeconds) {
    throw new CloudAssistantApiError(400, 'InvalidParameter.Timeout', `Timeout must be a whole number of seconds, at least ${EmulatorLimits.minTimeoutSeconds}`);
  }
  return value;
}

/** `docker://`, `containerd://` or `cri-o://` (optional) and 64 hex characters. */
const CONTAINER_ID = /^(?:(?:docker|containerd|cri-o):\/\/)?[0-9a-f]{64}$/u;

/**
 * The run-as and container fields, checked with their documented codes: Username up to 255
 * characters, Launcher up to 1 KB, ContainerId as 64 hex characters with an optional runtime prefix.
 */
function checkRunAs(query: URLSearchParams): void {
  const username = query.get('Username');
  if (username !== null && username.length > EmulatorLimits.maxUsernameLength) {
    throw new CloudAssistantApiError(403, 'Username.ExceedLimit', `Username is longer than ${EmulatorLimits.maxUsernameLength} characters`);
  }
  const launcher = query.get('Launcher');
  if (launcher !== null && Buffer.byteLength(launcher, 'utf8') > EmulatorLimits.maxLauncherBytes) {
    throw new CloudAssistantApiError(403, 'InvalidLauncher.LengthLimitExceeded', `Launcher is longer than ${EmulatorLimits.maxLauncherBytes} bytes`);
  }
  const containerId = query.get('ContainerId');
  if (containerId !== null && containerId !== '' && !CONTAINER_ID.test(containerId)) {
    throw new CloudAssistantApiError(400, 'InvalidContainerId.Malformed', 'ContainerId must be 64 hex characters, optionally prefixed by docker://, containerd:// or cri-o://');
  }
}

/**
 * The invocation's `Tag.N.Key/Value`: at most 20, keys 1-64 characters not starting with `aliyun`
 * or `acs:`, values up to 128. The codes are ECS's tag codes; the RunCommand page lists the limits only.
 */
function checkTags(query: URLSearchParams): void {
  let count = 0;
  for (let n = 1; query.has(`Tag.${n}.Key`) || query.has(`Tag.${n}.Value`); n += 1) {
    count += 1;
    const key = query.get(`Tag.${n}.Key`) ?? '';
    const value = query.get(`Tag.${n}.Value`) ?? '';
    if (key === '' || key.length > EmulatorLimits.maxTagKeyLength || /^(?:aliyun|acs:)/iu.test(key)) {
      throw new CloudAssistantApiError(400, 'InvalidTagKey.Malformed', `Tag.${n}.Key must be 1-${EmulatorLimits.maxTagKeyLength} characters and not start with aliyun or acs:`);
    }
    if (value.length > EmulatorLimits.maxTagValueLength) throw new CloudAssistantApiError(400, 'InvalidTagValue.Malformed', `Tag.${n}.Value is longer than ${EmulatorLimits.maxTagValueLength} characters`);
  }
  if (count > EmulatorLimits.maxTags) throw new CloudAssistantApiError(400, 'NumberExceed.Tags', `${count} tags; the limit is ${EmulatorLimits.maxTags}`);
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
  if (!COMMAND_TYPES.has(type)) throw new CloudAssistantApiError(400, 'InvalidParameter.Type', `Type ${type} is not RunShellScript, RunPowerShellScript or RunBatScript`);
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
  checkRunAs(query);
  checkTags(query);
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

/** One page of items with the token of the next page ('' on the last). */
interface PageOf<T> {
  readonly items: readonly T[];
  readonly nextToken: string;
  readonly maxResults: number;
  readonly total: number;
}

/** Pages with `MaxResults` (at most 50, default 10) and an opaque `NextToken`. */
export function pageOf<T>(items: readonly T[], query: URLSearchParams): PageOf<T> {
  const rawMax = query.get('MaxResults');
  const maxResults = rawMax === null ? EmulatorLimits.defaultMaxResults : Number(rawMax);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > EmulatorLimits.maxResults) {
    throw new CloudAssistantApiError(400, 'InvalidParam.MaxResults', `MaxResults must be 1-${EmulatorLimits.maxResults}`);
  }
  const token = query.get('NextToken') ?? '';
  const start = token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/u, ''));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new CloudAssistantApiError(400, 'InvalidParam.NextToken', 'NextToken is not valid');
  const end = start + maxResults;
  const nextToken = end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : '';
  return { items: items.slice(start, end), nextToken, maxResults, total: items.length };
}
