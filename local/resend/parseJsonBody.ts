import { ResendApiError } from './errors';
import type { EmulatorRequest } from '../http';

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
