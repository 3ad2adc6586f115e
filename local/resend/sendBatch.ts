import { acceptEmail } from './acceptEmail';
import { ResendEmulatorLimits } from './constants';
import { ResendApiError } from './errors';
import { parseJsonBody } from './parseJsonBody';
import type { AcceptedEmail, RequestContext, StoredAnswer } from './types';
import { validateEmail } from './validateEmail';
import { withIdempotency } from './withIdempotency';

function readMode(context: RequestContext): 'strict' | 'permissive' {
  const mode = context.request.headers['x-batch-validation'] ?? 'strict';
  if (mode === 'strict' || mode === 'permissive') return mode;
  throw new ResendApiError('validation_error', '`x-batch-validation` must be strict or permissive.');
}

/**
 * `POST /emails/batch`: 1 to 100 messages, no attachments. `strict` (the default) refuses the
 * whole batch on the first invalid message; `permissive` sends the valid ones and lists the rest.
 */
export async function sendBatch(context: RequestContext): Promise<StoredAnswer> {
  const body = parseJsonBody(context.request);
  const mode = readMode(context);
  if (!Array.isArray(body)) throw new ResendApiError('validation_error', 'The request body must be an array of emails.');
  if (body.length === 0) throw new ResendApiError('validation_error', 'The batch must contain at least 1 email.');
  if (body.length > ResendEmulatorLimits.maxBatchEmails) {
    throw new ResendApiError('validation_error', `Too many emails in the batch: the maximum is ${ResendEmulatorLimits.maxBatchEmails}, got ${body.length}.`);
  }
  return withIdempotency(context, '/emails/batch', { mode, body }, async () => {
    const now = context.now();
    const valid: { index: number; email: AcceptedEmail }[] = [];
    const errors: { index: number; message: string }[] = [];
    body.forEach((item: unknown, index) => {
      try {
        valid.push({ index, email: validateEmail(item, { batchIndex: index, now }) });
      } catch (error) {
        if (mode === 'strict' || !(error instanceof ResendApiError)) throw error;
        errors.push({ index, message: error.message });
      }
    });
    const data: { id: string }[] = [];
    for (const { index, email } of valid) data.push({ id: await acceptEmail(context, email, '/emails/batch', index) });
    return { status: 200, body: mode === 'permissive' ? { data, errors } : { data } };
  });
}
