import type { CreateEmailOptions } from 'resend';
import type { MailMessage } from './types';

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
