function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/gu, (char) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[char] ?? char);
}

/** The XML error body OSS sends: `<Error>` with Code, Message, RequestId, HostId and any extras. */
export function errorXml(code: string, message: string, requestId: string, hostId: string, extra: Readonly<Record<string, string>> = {}): string {
  const fields: [string, string][] = [['Code', code], ['Message', message], ['RequestId', requestId], ['HostId', hostId], ...Object.entries(extra)];
  const body = fields.map(([name, value]) => `  <${name}>${escapeXml(value)}</${name}>`).join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<Error>\n${body}\n</Error>\n`;
}
