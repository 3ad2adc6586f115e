export { parseSettings } from './parseSettings';
export { readSettingsFile } from './readSettingsFile';
export { SettingsFileError } from './errors';
