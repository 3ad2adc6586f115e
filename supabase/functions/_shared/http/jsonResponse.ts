/** A JSON answer; bigint values become numbers. */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  const json = JSON.stringify(body, (_key, value: unknown) => (typeof value === 'bigint' ? Number(value) : value));
  return new Response(json, { status, headers: { 'content-type': 'application/json', ...headers } });
}
