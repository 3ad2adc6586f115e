const BARE = /^[^\s@<>",;]+@[^\s@<>",;]+\.[^\s@<>",;.]+$/u;
const NAMED = /^[^<>]*<([^<>]+)>$/u;

/** Whether `value` is `email@example.com` or `Name <email@example.com>`, the two forms Resend takes. */
export function isEmailAddress(value: string): boolean {
  const text = value.trim();
  if (BARE.test(text)) return true;
  const inner = NAMED.exec(text)?.[1];
  return inner !== undefined && BARE.test(inner.trim());
}
