import type { OutboxMessage } from './outbox-schemas';
import type { AcceptedEmail } from './types';

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
