import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';

const TAG_TEXT = /^[A-Za-z0-9_-]+$/u;

function readField(item: unknown, key: string): unknown {
  return typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
}

/** `tags`: `[{name, value}]`, each part ASCII letters, digits, `_` or `-`, at most 256 characters. */
export function readTags(value: unknown, where: string): { name: string; value: string }[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new ResendApiError('validation_error', `${where}\`tags\` must be an array of {name, value}.`);
  return value.map((item: unknown) => {
    const name = readField(item, 'name');
    const text = readField(item, 'value');
    for (const [part, content] of [['name', name], ['value', text]] as const) {
      if (typeof content !== 'string' || !TAG_TEXT.test(content) || content.length > ResendEmulatorLimits.maxTagLength) {
        throw new ResendApiError('validation_error', `${where}Tag ${part} must only contain ASCII letters (a-z, A-Z), numbers (0-9), underscores (_), or dashes (-), and be at most 256 characters.`);
      }
    }
    return { name: name as string, value: text as string };
  });
}
