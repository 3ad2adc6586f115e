import { isEmailAddress } from './isEmailAddress';
import { ResendApiError } from './errors';
import { readAddresses } from './readAddresses';
import { readAttachments } from './readAttachments';
import { readSchedule } from './readSchedule';
import { readTags } from './readTags';
import type { AcceptedEmail } from './types';

/** Where a message sits: its batch index when it came in a batch. */
export interface EmailPosition {
  readonly batchIndex?: number;
  readonly now: number;
}

function optionalText(body: Record<string, unknown>, field: string, where: string): string | null {
  const value = body[field];
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw new ResendApiError('validation_error', `${where}\`${field}\` must be a string.`);
  return value;
}

function readHeaders(value: unknown, where: string): Record<string, string> | null {
  if (value === undefined || value === null) return null;
  const ok = typeof value === 'object' && !Array.isArray(value) && Object.values(value).every((item) => typeof item === 'string');
  if (!ok) throw new ResendApiError('validation_error', `${where}\`headers\` must be an object of strings.`);
  return value as Record<string, string>;
}

/**
 * Checks one message as Resend does and names the error as Resend does: a missing `from`, `to`,
 * `subject` or body is 422 `missing_required_field`; a bad `from` is 422 `invalid_from_address`;
 * bad recipients, too many of them, bad tags or types are 422 `validation_error`.
 */
export function validateEmail(value: unknown, position: EmailPosition): AcceptedEmail {
  const inBatch = position.batchIndex !== undefined;
  const where = inBatch ? `emails[${position.batchIndex}]: ` : '';
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ResendApiError('validation_error', `${where}The request body must be a JSON object.`);
  const body = value as Record<string, unknown>;
  if (body.template !== undefined) throw new ResendApiError('invalid_parameter', `${where}Templates are not supported by the local Resend emulator.`);
  if (body.from === undefined || body.from === null || body.from === '') throw new ResendApiError('missing_required_field', `${where}Missing \`from\` field.`);
  if (typeof body.from !== 'string' || !isEmailAddress(body.from)) {
    throw new ResendApiError('invalid_from_address', `${where}Invalid \`from\` field. The email address needs to follow the \`email@example.com\` or \`Name <email@example.com>\` format.`);
  }
  const to = readAddresses(body.to, 'to', where);
  if (to === null) throw new ResendApiError('missing_required_field', `${where}Missing \`to\` field.`);
  if (body.subject === undefined || body.subject === null) throw new ResendApiError('missing_required_field', `${where}Missing \`subject\` field.`);
  const subject = optionalText(body, 'subject', where) ?? '';
  const html = optionalText(body, 'html', where);
  const text = optionalText(body, 'text', where);
  if (html === null && text === null) throw new ResendApiError('missing_required_field', `${where}Missing \`html\` or \`text\` field.`);
  return {
    from: body.from.trim(),
    to,
    cc: readAddresses(body.cc, 'cc', where),
    bcc: readAddresses(body.bcc, 'bcc', where),
    replyTo: readAddresses(body.reply_to, 'reply_to', where),
    subject,
    html,
    text,
    tags: readTags(body.tags, where),
    headers: readHeaders(body.headers, where),
    scheduledAt: readSchedule(body.scheduled_at, position.now, where),
    attachments: readAttachments(body.attachments, where, inBatch),
  };
}
