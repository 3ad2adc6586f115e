import { ConfigError } from '../../shared/config';
import { OssVectorsConfigError, OssVectorsNetworkError, OssVectorsRequestError, OssVectorsResponseError, OssVectorsUnavailableError } from '../../shared/clients/oss-vectors';
import { LedgerRefusedError, LedgerShapeError, LedgerUnavailableError } from '../../shared/ledger';
import { RetriesExhaustedError } from '../../shared/retry';
import { InstanceRoleCredentialsError } from '../context/instanceRoleCredentials';
import { SettingsFileError } from '../settings';
import { UsageError } from './errors';
import { ExitCode } from './types';

const OSS_ERRORS = [OssVectorsUnavailableError, OssVectorsRequestError, OssVectorsNetworkError, OssVectorsResponseError] as const;
const LEDGER_ERRORS = [LedgerUnavailableError, LedgerRefusedError, LedgerShapeError] as const;

/** The exit code that tells an operator which side failed: arguments, settings, ledger or OSS. */
export function exitCodeFor(error: unknown): number {
  // A retried call that never succeeded is judged by its last failure.
  const root = error instanceof RetriesExhaustedError ? error.cause : error;
  if (root instanceof UsageError) return ExitCode.Usage;
  // The instance role's keys are part of the settings: a role not attached, or no metadata service.
  if (root instanceof SettingsFileError || root instanceof ConfigError || root instanceof OssVectorsConfigError || root instanceof InstanceRoleCredentialsError) return ExitCode.Settings;
  if (LEDGER_ERRORS.some((type) => root instanceof type)) return ExitCode.Ledger;
  if (OSS_ERRORS.some((type) => root instanceof type)) return ExitCode.Oss;
  return ExitCode.Failed;
}
