/** How long the archived report's link in the e-mail is valid: 7 days, OSS's maximum. */
export const REPORT_LINK_SECONDS = 7 * 24 * 3600;

/** Content type of the archived JSON report. */
export const REPORT_JSON_CONTENT_TYPE = 'application/json; charset=utf-8';
