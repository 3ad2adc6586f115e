import { PARAMETER_NAME, RunCommandLimits } from './constants';
import {
  CommandTooLargeError,
  InvalidClientTokenError,
  InvalidCommandError,
  InvalidParameterNameError,
  TooManyParametersError,
} from './errors';
import type { RunCommandInput } from './types';

/** The checked wire values of a RunCommand call. */
export interface PreparedCommand {
  readonly commandContent: string;
  readonly parameters: Record<string, string> | undefined;
  readonly enableParameter: boolean;
}

const ASCII = /^[\x20-\x7e]+$/u;

function checkLength(value: string | undefined, limit: number, what: string): void {
  if (value !== undefined && value.length > limit) throw new InvalidCommandError(`${what} is longer than ${limit} characters`, { code: `InvalidParam.${what}` });
}

/**
 * Encodes the script in Base64 and checks what RunCommand would refuse: 1-100 instances, at most
 * 10 parameters named `[a-zA-Z0-9_-]`, content plus parameters within 24 KB after Base64, an ASCII
 * ClientToken of at most 64 characters, and the length limits of the other fields.
 */
export function prepareCommand(input: RunCommandInput): PreparedCommand {
  const instances = input.instanceIds.length;
  if (instances === 0 || instances > RunCommandLimits.maxInstances) {
    throw new InvalidCommandError(`RunCommand takes 1-${RunCommandLimits.maxInstances} instances (got ${instances})`, { code: 'InstanceIds.ExceedLimit' });
  }
  const names = Object.keys(input.parameters ?? {});
  if (names.length > RunCommandLimits.maxParameters) throw new TooManyParametersError(names.length, RunCommandLimits.maxParameters);
  for (const name of names) {
    if (!PARAMETER_NAME.test(name) || name.length > RunCommandLimits.maxParameterNameLength) throw new InvalidParameterNameError(name);
  }
  if (input.clientToken !== undefined && (!ASCII.test(input.clientToken) || input.clientToken.length > RunCommandLimits.maxClientTokenLength)) {
    throw new InvalidClientTokenError(input.clientToken.length);
  }
  if (input.timeoutSeconds !== undefined && !(Number.isInteger(input.timeoutSeconds) && input.timeoutSeconds > 0)) {
    throw new InvalidCommandError(`timeout must be a positive whole number of seconds (got ${input.timeoutSeconds})`, { code: 'InvalidParam.Timeout' });
  }
  checkLength(input.name, RunCommandLimits.maxNameLength, 'Name');
  checkLength(input.description, RunCommandLimits.maxDescriptionLength, 'Description');
  checkLength(input.workingDir, RunCommandLimits.maxWorkingDirLength, 'WorkingDir');
  const commandContent = Buffer.from(input.script, 'utf8').toString('base64');
  const parameters = input.parameters === undefined ? undefined : { ...input.parameters };
  const parameterBytes = parameters === undefined ? 0 : Buffer.from(JSON.stringify(parameters), 'utf8').toString('base64').length;
  const bytes = commandContent.length + parameterBytes;
  if (bytes > RunCommandLimits.maxContentBase64Bytes) throw new CommandTooLargeError(bytes, RunCommandLimits.maxContentBase64Bytes);
  return { commandContent, parameters, enableParameter: input.enableParameter ?? parameters !== undefined };
}
