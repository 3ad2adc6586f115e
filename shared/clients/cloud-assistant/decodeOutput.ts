/** Decodes Cloud Assistant's Base64 output; an empty or absent value is empty text. */
export function decodeOutput(value: string | undefined): string {
  return value ? Buffer.from(value, 'base64').toString('utf8') : '';
}
