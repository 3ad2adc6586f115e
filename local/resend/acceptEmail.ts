import { randomUUID } from 'node:crypto';
import { toOutboxMessage } from './toOutboxMessage';
import type { AcceptedEmail, RequestContext } from './types';

/** Gives a valid message its id and writes it to the outbox; returns the id. */
export async function acceptEmail(context: RequestContext, email: AcceptedEmail, endpoint: '/emails' | '/emails/batch', batchIndex: number | null): Promise<string> {
  const id = randomUUID();
  const userAgent = context.request.headers['user-agent'];
  const idempotencyKey = context.request.headers['idempotency-key'];
  await context.outbox.write(
    toOutboxMessage(email, {
      id,
      createdAt: new Date(context.now()).toISOString(),
      endpoint,
      batchIndex,
      idempotencyKey: typeof idempotencyKey === 'string' ? idempotencyKey : null,
      userAgent: userAgent ?? null,
      permission: context.grant.permission,
    }),
  );
  return id;
}
