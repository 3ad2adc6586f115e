import { ApiKeyPermissions } from './constants';
import { ResendApiError } from './errors';
import type { RequestContext, StoredAnswer } from './types';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/iu;

/** `GET /emails/:id`: the stored message, read back from the outbox. */
export async function getEmail(context: RequestContext, id: string): Promise<StoredAnswer> {
  if (context.grant.permission !== ApiKeyPermissions.fullAccess) throw new ResendApiError('restricted_api_key', 'This API key is restricted to only send emails.');
  if (!UUID.test(id)) throw new ResendApiError('validation_error', 'The `id` must be a valid UUID.');
  const entry = await context.outbox.read(id);
  if (!entry) throw new ResendApiError('not_found', 'Email not found');
  return { status: 200, body: entry.email };
}
