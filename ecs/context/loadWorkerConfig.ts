import { loadConfig, WorkerConfigSchema } from '../../shared/config';
import type { WorkerConfig } from '../../shared/config';
import { readSettingsFile } from '../settings';

/** Reads the root-only settings file and checks it with the worker's config schema. */
export function loadWorkerConfig(settingsPath: string): WorkerConfig {
  return loadConfig('worker', WorkerConfigSchema, readSettingsFile(settingsPath));
}
