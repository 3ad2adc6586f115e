import { Resend } from 'resend';
import type { CreateEmailOptions } from 'resend';
import { ResendConfigError } from './errors';
import type { MailMessage, MailerConfig } from './types';

function checkBaseUrl(baseUrl: string): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch (cause) {
    throw new ResendConfigError(`the Resend base URL "${baseUrl}" is not a URL (write http:// or https://)`, { cause });
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ResendConfigError(`the Resend base URL "${baseUrl}" is not http or https`);
  if (url.search !== '' || url.hash !== '') throw new ResendConfigError(`the Resend base URL "${baseUrl}" has a query or fragment`);
  // The SDK appends paths as `${baseUrl}/emails`: a trailing slash would make `//emails`.
  return `${url.origin}${url.pathname.replace(/\/+$/u, '')}`;
}

/**
 * Builds the official `resend` client. The base URL goes through the constructor option (6.12.4+)
 * rather than `RESEND_BASE_URL`, so two clients in one process can point at different servers and
 * nothing depends on the environment at import time. An empty key is refused here: the SDK would
 * fall back to `RESEND_API_KEY` silently.
 */
export function createResendSdkClient(config: MailerConfig): Resend {
  if (config.apiKey.trim() === '') throw new ResendConfigError('the Resend API key is empty');
  const baseUrl = config.baseUrl === undefined || config.baseUrl.trim() === '' ? undefined : checkBaseUrl(config.baseUrl.trim());
  return new Resend(config.apiKey, baseUrl === undefined ? undefined : { baseUrl });
}

/** The SDK's payload for a message: copies arrays (the SDK wants them mutable) and leaves out what is unset. */
export function toSendPayload(message: MailMessage): CreateEmailOptions {
  const base = {
    from: message.from,
    to: typeof message.to === 'string' ? message.to : [...message.to],
    subject: message.subject,
    ...(message.tags === undefined ? {} : { tags: message.tags.map((tag) => ({ name: tag.name, value: tag.value })) }),
  };
  if (message.html !== undefined) return { ...base, html: message.html, ...(message.text === undefined ? {} : { text: message.text }) };
  // The type promises html or text; a caller that bypassed it still reaches Resend, which names the error.
  return { ...base, text: message.text as string };
}
