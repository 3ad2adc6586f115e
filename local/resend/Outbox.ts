import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod';
import type { AcceptedEmail } from './validation';

const TagSchema = z.object({ name: z.string(), value: z.string() });

/** What Resend stores of a message, in its own snake_case field names (the body of `GET /emails/:id`). */
const StoredEmailSchema = z.object({
  object: z.literal('email'),
  id: z.uuid(),
  created_at: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  cc: z.array(z.string()).nullable(),
  bcc: z.array(z.string()).nullable(),
  reply_to: z.array(z.string()).nullable(),
  subject: z.string(),
  html: z.string().nullable(),
  text: z.string().nullable(),
  tags: z.array(TagSchema),
  headers: z.record(z.string(), z.string()).nullable(),
  scheduled_at: z.string().nullable(),
  last_event: z.enum(['delivered', 'scheduled']),
});

/** How a message reached the emulator; never holds the API key. */
const DeliveryMetadataSchema = z.object({
  endpoint: z.enum(['/emails', '/emails/batch']),
  /** Position in the batch, for `/emails/batch`. */
  batch_index: z.number().int().nonnegative().nullable(),
  idempotency_key: z.string().nullable(),
  user_agent: z.string().nullable(),
  /** The key's permission, to tell keys apart without storing them. */
  api_key_permission: z.string(),
  attachments: z.array(z.object({ filename: z.string().nullable(), content_type: z.string().nullable(), bytes: z.number().int().nullable() })),
});

/** One `<id>.json` file of the outbox. */
const OutboxMessageSchema = z.object({ email: StoredEmailSchema, metadata: DeliveryMetadataSchema });
export type OutboxMessage = z.infer<typeof OutboxMessageSchema>;

/** How a message arrived, recorded beside it. */
export interface Arrival {
  readonly id: string;
  readonly createdAt: string;
  readonly endpoint: '/emails' | '/emails/batch';
  readonly batchIndex: number | null;
  readonly idempotencyKey: string | null;
  readonly userAgent: string | null;
  readonly permission: string;
}

/** The outbox record of an accepted message, in Resend's field names; the key itself is never kept. */
export function toOutboxMessage(email: AcceptedEmail, arrival: Arrival): OutboxMessage {
  return {
    email: {
      object: 'email',
      id: arrival.id,
      created_at: arrival.createdAt,
      from: email.from,
      to: [...email.to],
      cc: email.cc ? [...email.cc] : null,
      bcc: email.bcc ? [...email.bcc] : null,
      reply_to: email.replyTo ? [...email.replyTo] : null,
      subject: email.subject,
      html: email.html,
      text: email.text,
      tags: email.tags.map((tag) => ({ ...tag })),
      headers: email.headers ? { ...email.headers } : null,
      scheduled_at: email.scheduledAt,
      last_event: email.scheduledAt === null ? 'delivered' : 'scheduled',
    },
    metadata: {
      endpoint: arrival.endpoint,
      batch_index: arrival.batchIndex,
      idempotency_key: arrival.idempotencyKey,
      user_agent: arrival.userAgent,
      api_key_permission: arrival.permission,
      attachments: email.attachments.map((item) => ({ filename: item.filename, content_type: item.contentType, bytes: item.bytes })),
    },
  };
}

function escapeHtml(text: string): string {
  return text.replace(/&/gu, '&amp;').replace(/</gu, '&lt;').replace(/>/gu, '&gt;').replace(/"/gu, '&quot;');
}

/** The HTML file of a message: its HTML part, or its text part in a `<pre>` when it has no HTML. */
function renderHtml(html: string | null, text: string | null): string {
  if (html !== null) return html;
  return `<!doctype html><meta charset="utf-8"><pre>${escapeHtml(text ?? '')}</pre>\n`;
}

const IdSchema = z.uuid();

/** A message read back from the outbox: the JSON record and the HTML file. */
export interface OutboxEntry extends OutboxMessage {
  readonly html: string;
}

/**
 * The folder every accepted message lands in: `<id>.html` (what a reader would see) and
 * `<id>.json` (the message and how it arrived). Files are written under a temporary name and
 * renamed, so a reader never sees half a message; the JSON goes last and marks it complete.
 */
export class Outbox {
  constructor(readonly directory: string) {}

  /** Creates the folder if needed. */
  async open(): Promise<void> {
    await mkdir(this.directory, { recursive: true });
  }

  /** Writes one message. */
  async write(message: OutboxMessage): Promise<void> {
    const id = IdSchema.parse(message.email.id);
    await this.writeAtomically(`${id}.html`, renderHtml(message.email.html, message.email.text));
    await this.writeAtomically(`${id}.json`, `${JSON.stringify(message, null, 2)}\n`);
  }

  /** One message by id, or undefined when there is none (or the id is not a UUID). */
  async read(id: string): Promise<OutboxEntry | undefined> {
    if (!IdSchema.safeParse(id).success) return undefined;
    let json: string;
    try {
      json = await readFile(join(this.directory, `${id}.json`), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
    const message = OutboxMessageSchema.parse(JSON.parse(json));
    const html = await readFile(join(this.directory, `${id}.html`), 'utf8');
    return { ...message, html };
  }

  /** Every complete message, oldest first. */
  async list(): Promise<OutboxEntry[]> {
    const names = await readdir(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT') return [];
      throw error;
    });
    const entries: OutboxEntry[] = [];
    for (const name of names) {
      if (!name.endsWith('.json')) continue;
      const entry = await this.read(name.slice(0, -'.json'.length));
      if (entry) entries.push(entry);
    }
    return entries.sort((a, b) => a.email.created_at.localeCompare(b.email.created_at) || (a.metadata.batch_index ?? 0) - (b.metadata.batch_index ?? 0));
  }

  private async writeAtomically(name: string, content: string): Promise<void> {
    const temporary = join(this.directory, `.${name}.tmp`);
    await writeFile(temporary, content, 'utf8');
    await rename(temporary, join(this.directory, name));
  }
}
