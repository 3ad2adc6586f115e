import { PermanentError } from '../errors';

/** The environment lacks a variable or holds a bad value; names the variable. */
export class ConfigError extends PermanentError {
  readonly variables: readonly string[];

  constructor(component: string, problems: readonly { variable: string; message: string }[]) {
    const text = problems.map((p) => `${p.variable}: ${p.message}`).join('; ');
    super(`configuration of ${component} is invalid: ${text}`, {
      code: 'ConfigInvalid',
      details: { component, variables: problems.map((p) => p.variable) },
    });
    this.variables = problems.map((p) => p.variable);
  }
}
