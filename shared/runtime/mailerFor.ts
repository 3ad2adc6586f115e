import { Mailer } from '../clients/resend';
import { memo } from './memo';

const cached = memo(
  (config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }) => `${config.RESEND_BASE_URL}|${config.RESEND_API_KEY}`,
  (config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }) => new Mailer({ apiKey: config.RESEND_API_KEY, ...(config.RESEND_BASE_URL ? { baseUrl: config.RESEND_BASE_URL } : {}) }),
);

/** The Resend mailer; the key stays inside it. */
export function mailerFor(config: { RESEND_API_KEY: string; RESEND_BASE_URL: string }): Mailer {
  return cached(config);
}
