import { acceptEmail } from './acceptEmail';
import { parseJsonBody } from './parseJsonBody';
import type { RequestContext, StoredAnswer } from './types';
import { validateEmail } from './validateEmail';
import { withIdempotency } from './withIdempotency';

/** `POST /emails`: one message; answers `{id}`. */
export async function sendEmail(context: RequestContext): Promise<StoredAnswer> {
  const body = parseJsonBody(context.request);
  return withIdempotency(context, '/emails', body, async () => {
    const email = validateEmail(body, { now: context.now() });
    const id = await acceptEmail(context, email, '/emails', null);
    return { status: 200, body: { id } };
  });
}
