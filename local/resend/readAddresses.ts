import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';
import { isEmailAddress } from './isEmailAddress';

const FORMAT = 'The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';

/**
 * Reads an address field (a string or an array of strings). Absent or empty gives null, so the
 * caller decides whether that is allowed; a bad address or more than 50 is 422 `validation_error`.
 */
export function readAddresses(value: unknown, field: string, where: string): string[] | null {
  if (value === undefined || value === null) return null;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || (list.length === 1 && list[0] === '')) return null;
  if (list.length > ResendEmulatorLimits.maxRecipients) {
    throw new ResendApiError('validation_error', `${where}Too many recipients in \`${field}\`: the maximum is ${ResendEmulatorLimits.maxRecipients}, got ${list.length}.`);
  }
  return list.map((item) => {
    if (typeof item !== 'string' || !isEmailAddress(item)) throw new ResendApiError('validation_error', `${where}Invalid \`${field}\` field. ${FORMAT}`);
    return item.trim();
  });
}
