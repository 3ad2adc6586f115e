import { expect } from 'vitest';
import { InstanceRoleCredentialsError } from '../../ecs/instanceRoleCredentials';

/** The InstanceRoleCredentialsError a promise rejects with, checked to name none of `secrets`. */
export async function roleFailureOf(promise: Promise<unknown>, secrets: readonly string[]): Promise<InstanceRoleCredentialsError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(InstanceRoleCredentialsError);
  const typed = error as InstanceRoleCredentialsError;
  for (const value of secrets) expect(typed.message).not.toContain(value);
  return typed;
}
