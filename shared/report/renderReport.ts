import { renderReportHtml } from './renderReportHtml';
import { renderReportText } from './renderReportText';
import { reportSubject } from './reportSubject';
import type { RenderedReport, RunReport } from './types';

/** Subject, HTML and plain text of a run report. */
export function renderReport(report: RunReport): RenderedReport {
  return { subject: reportSubject(report), html: renderReportHtml(report), text: renderReportText(report) };
}
