/** `x-oss-date` form of a time: UTC `YYYYMMDDTHHMMSSZ`. */
export function formatOssDate(date: Date): string {
  return date.toISOString().replace(/[-:]/gu, '').replace(/\.\d{3}/u, '');
}
