import { EmulatorLimits } from './constants';
import { CloudAssistantApiError } from './errors';

/** One page of items with the token of the next page ('' on the last). */
export interface PageOf<T> {
  readonly items: readonly T[];
  readonly nextToken: string;
  readonly maxResults: number;
  readonly total: number;
}

/** Pages with `MaxResults` (at most 50, default 10) and an opaque `NextToken`. */
export function pageOf<T>(items: readonly T[], query: URLSearchParams): PageOf<T> {
  const rawMax = query.get('MaxResults');
  const maxResults = rawMax === null ? EmulatorLimits.defaultMaxResults : Number(rawMax);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > EmulatorLimits.maxResults) {
    throw new CloudAssistantApiError(400, 'InvalidParam.MaxResults', `MaxResults must be 1-${EmulatorLimits.maxResults}`);
  }
  const token = query.get('NextToken') ?? '';
  const start = token === '' ? 0 : Number(Buffer.from(token, 'base64url').toString('utf8').replace(/^offset:/u, ''));
  if (!Number.isInteger(start) || start < 0 || start > items.length) throw new CloudAssistantApiError(400, 'InvalidParam.NextToken', 'NextToken is not valid');
  const end = start + maxResults;
  const nextToken = end < items.length ? Buffer.from(`offset:${end}`).toString('base64url') : '';
  return { items: items.slice(start, end), nextToken, maxResults, total: items.length };
}
