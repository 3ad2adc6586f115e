import { PanelIds } from './constants';
import { buildPanel } from './buildPanel';
import { formatCell } from './formatCell';
import type { DashboardState, PanelView } from './types';

/** The outbox, newest first, each subject linking to the stored HTML. */
export function emailsPanel(state: DashboardState): PanelView {
  const head = { id: PanelIds.emails, title: 'E-mails', columns: ['Sent', 'Subject', 'To'], empty: 'No e-mails yet.' };
  return buildPanel(head, state.emails, (email) => ({
    data: { 'email-id': email.id },
    cells: [formatCell.time(email.createdAt), { text: email.subject, href: email.href }, email.to.join(', ')],
  }));
}
