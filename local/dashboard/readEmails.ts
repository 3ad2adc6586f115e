import * as z from 'zod';
import type { Outbox } from '../resend';
import { DashboardDefaults } from './constants';
import { queryPanel } from './queryPanel';
import type { EmailSummary, PanelResult } from './types';

const EmailSummarySchema = z.object({ id: z.uuid(), subject: z.string(), from: z.string(), to: z.array(z.string()), createdAt: z.string(), href: z.string() });

/** The newest messages of the outbox first, at most `limit`, each with the link to its HTML. */
export function readEmails(outbox: Outbox, limit: number = DashboardDefaults.limits.emails): Promise<PanelResult<EmailSummary>> {
  return queryPanel(EmailSummarySchema, async () => {
    const entries = await outbox.list();
    return entries
      .slice(-limit)
      .reverse()
      .map(({ email }) => ({ id: email.id, subject: email.subject, from: email.from, to: email.to, createdAt: email.created_at, href: `/emails/${email.id}` }));
  });
}
