import type { IncomingHttpHeaders } from 'node:http';
import { ResendApiError } from './errors';
import type { ApiKeyGrant } from './types';

/** The grant of the request's Bearer key; 401 `missing_api_key` without one, 403 `invalid_api_key` for an unknown one. */
export function authenticate(headers: IncomingHttpHeaders, grants: readonly ApiKeyGrant[]): ApiKeyGrant {
  const match = /^Bearer\s+(\S+)\s*$/iu.exec(headers.authorization ?? '');
  if (!match?.[1]) {
    throw new ResendApiError('missing_api_key', 'Missing API key in the authorization header. Include the following header `Authorization: Bearer YOUR_API_KEY` in the request.');
  }
  const grant = grants.find((candidate) => candidate.key === match[1]);
  if (!grant) throw new ResendApiError('invalid_api_key', 'API key is invalid');
  return grant;
}
