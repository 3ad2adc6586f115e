import { ResendApiError } from './errors';
import type { AcceptedEmail } from './types';

/** Resend's limit on a message's attachments after Base64 coding. */
const MAX_ENCODED_BYTES = 40 * 1024 * 1024;

function readField(item: unknown, key: string): unknown {
  return typeof item === 'object' && item !== null ? (item as Record<string, unknown>)[key] : undefined;
}

/** `attachments`: each needs `content` (Base64) or `path`; at most 40 MB coded; none in a batch. */
export function readAttachments(value: unknown, where: string, inBatch: boolean): AcceptedEmail['attachments'] {
  if (value === undefined || value === null) return [];
  if (inBatch) throw new ResendApiError('validation_error', `${where}Attachments are not supported with the batch endpoint.`);
  if (!Array.isArray(value)) throw new ResendApiError('invalid_attachment', `${where}\`attachments\` must be an array.`);
  let encoded = 0;
  const out = value.map((item: unknown) => {
    const content = readField(item, 'content');
    const path = readField(item, 'path');
    const filename = readField(item, 'filename');
    const contentType = readField(item, 'content_type');
    if (typeof content !== 'string' && typeof path !== 'string') throw new ResendApiError('invalid_attachment', `${where}An attachment needs \`content\` or \`path\`.`);
    if (typeof content === 'string') encoded += content.length;
    return {
      filename: typeof filename === 'string' ? filename : null,
      contentType: typeof contentType === 'string' ? contentType : null,
      bytes: typeof content === 'string' ? Buffer.from(content, 'base64').length : null,
    };
  });
  if (encoded > MAX_ENCODED_BYTES) throw new ResendApiError('invalid_attachment', `${where}Attachments exceed 40 MB per email.`);
  return out;
}
