import { readFileSync, statSync } from 'node:fs';
import { SettingsFileError } from './errors';
import { parseSettings } from './parseSettings';

/**
 * Reads the worker's settings file, refusing one that other users can read or write (the file
 * holds the database URL and keys) or that belongs to another user.
 */
export function readSettingsFile(path: string): Record<string, string> {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    throw new SettingsFileError(`settings file ${path} cannot be read`, { cause: error, details: { path } });
  }
  if ((stat.mode & 0o077) !== 0) throw new SettingsFileError(`settings file ${path} is open to other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`, { details: { path } });
  if (typeof process.getuid === 'function' && stat.uid !== process.getuid()) throw new SettingsFileError(`settings file ${path} belongs to uid ${stat.uid}, not to the worker's user`, { details: { path } });
  return parseSettings(readFileSync(path, 'utf8'), path);
}
