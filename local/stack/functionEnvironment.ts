import { ComponentConfigSchemas } from '../../shared/config';
import type { StackFunctionName } from './constants';

/**
 * The environment of one function: only the variables its config schema declares, picked from
 * everything the stack knows, as s.yaml gives each function only its own settings.
 */
export function functionEnvironment(name: StackFunctionName, all: Readonly<Record<string, string>>): Record<string, string> {
  const schema = ComponentConfigSchemas[name];
  const env: Record<string, string> = {};
  for (const key of Object.keys(schema.shape)) {
    const value = all[key];
    if (value !== undefined) env[key] = value;
  }
  return env;
}
