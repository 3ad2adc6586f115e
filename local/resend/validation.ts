import type { IncomingHttpHeaders } from 'node:http';
import type { EmulatorRequest } from '../http';
import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';
import { readField } from '../../shared/values';

// A request checked as Resend checks it, each refusal named as Resend names it.

/** The request body as JSON; an unreadable body is 400 `validation_error`, as Resend answers it. */
export function parseJsonBody(request: EmulatorRequest): unknown {
  const text = request.body.toString('utf8');
  if (text.trim() === '') throw new ResendApiError('validation_error', 'The request body is missing.', { status: 400 });
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ResendApiError('validation_error', 'The request body is not valid JSON.', { status: 400 });
  }
}

/** The `Idempotency-Key` header, if sent; 400 `invalid_idempotency_key` outside 1–256 characters. */
export function readIdempotencyKey(headers: IncomingHttpHeaders): string | undefined {
  const raw = headers['idempotency-key'];
  if (raw === undefined) return undefined;
  const key = Array.isArray(raw) ? raw.join(',') : raw;
  if (key.length < ResendEmulatorLimits.minIdempotencyKeyLength || key.length > ResendEmulatorLimits.maxIdempotencyKeyLength) {
    throw new ResendApiError('invalid_idempotency_key', 'The key must be between 1-256 chars.');
  }
  return key;
}

const BARE = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;.]+$/u;
const NAMED = /^[^<>]*<([^<>]+)>$/u;

/** Whether `value` is `email@example.com` or `Name <email@example.com>`, the two forms Resend takes. */
export function isEmailAddress(value: string): boolean {
  const text = value.trim();
  if (BARE.test(text)) return true;
  const inner = NAMED.exec(text)?.[1];
  return inner !== undefined && BARE.test(inner.trim());
}

/** A message that passed validation, before it gets an id. */
export interface AcceptedEmail {
  readonly from: string;
  readonly to: readonly string[];
  readonly cc: readonly string[] | null;
  readonly bcc: readonly string[] | null;
  readonly replyTo: readonly string[] | null;
  readonly subject: string;
  readonly html: string | null;
  readonly text: string | null;
  readonly tags: readonly { readonly name: string; readonly value: string }[];
  readonly headers: Readonly<Record<string, string>> | null;
  readonly scheduledAt: string | null;
  readonly attachments: readonly { readonly filename: string | null; readonly contentType: string | null; readonly bytes: number | null }[];
}


const ADDRESS_FORMAT = 'The email address needs to follow the `email@example.com` or `Name <email@example.com>` format.';

/**
 * Reads an address field (a string or an array of strings). Absent or empty gives null, so the
 * caller decides whether that is allowed; a bad address or more than 50 is 422 `validation_error`.
 */
function readAddresses(value: unknown, field: string, where: string): string[] | null {
  if (value === undefined || value === null) return null;
  const list: unknown[] = Array.isArray(value) ? value : [value];
  if (list.length === 0 || (list.length === 1 && list[0] === '')) return null;
  if (list.length > ResendEmulatorLimits.maxRecipients) {
    throw new ResendApiError('validation_error', `${where}Too many recipients in \`${field}\`: the maximum is ${ResendEmulatorLimits.maxRecipients}, got ${list.length}.`);
  }
  return list.map((item) => {
    if (typeof item !== 'string' || !isEmailAddress(item)) throw new ResendApiError('validation_error', `${where}Invalid \`${field}\` field. ${ADDRESS_FORMAT}`);
    return item.trim();
  });
}

/** Resend's limit on a message's attachments after Base64 coding. */
const MAX_ENCODED_BYTES = 40 * 1024 * 1024;

/** `attachments`: each needs `content` (Base64) or `path`; at most 40 MB coded; none in a batch. */
function readAttachments(value: unknown, where: string, inBatch: boolean): AcceptedEmail['attachments'] {
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

const TAG_TEXT = /^[A-Za-z0-9_-]+$/u;

/** `tags`: `[{name, value}]`, each part ASCII letters, digits, `_` or `-`, at most 256 characters. */
function readTags(value: unknown, where: string): { name: string; value: string }[] {
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

const NATURAL = /^in\s+(\d+)\s*(second|sec|minute|min|hour|hr|day)s?$/iu;
const UNIT_MS: Readonly<Record<string, number>> = { second: 1e3, sec: 1e3, minute: 6e4, min: 6e4, hour: 3.6e6, hr: 3.6e6, day: 8.64e7 };

/** `scheduled_at` as an ISO time: ISO-8601 or the simple natural form `in 10 min`; at most 30 days ahead. */
function readSchedule(value: unknown, now: number, where: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string' || value.trim() === '') throw new ResendApiError('validation_error', `${where}\`scheduled_at\` must be an ISO 8601 date or a time such as "in 1 min".`);
  const natural = NATURAL.exec(value.trim());
  const at = natural ? now + Number(natural[1]) * (UNIT_MS[(natural[2] ?? '').toLowerCase()] ?? 0) : Date.parse(value);
  if (Number.isNaN(at)) throw new ResendApiError('validation_error', `${where}\`scheduled_at\` is not a date: ${value}`);
  if (at - now > ResendEmulatorLimits.maxScheduleAheadMs) throw new ResendApiError('validation_error', `${where}\`scheduled_at\` must be within 30 days.`);
  return new Date(at).toISOString();
}

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
    throw new ResendApiError('invalid_from_address', `${where}Invalid \`from\` field. ${ADDRESS_FORMAT}`);
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
