const LOOPBACK = /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/u;

/**
 * The SDK takes a host without scheme and sends plain HTTP unless told otherwise: the scheme comes
 * from the endpoint when given, otherwise https except for a loopback emulator.
 */
export function resolveEndpoint(endpoint: string): { host: string; protocol: 'http' | 'https' } {
  const match = /^(https?):\/\/(.+?)\/?$/u.exec(endpoint.trim());
  if (match) return { host: match[2] ?? '', protocol: match[1] === 'http' ? 'http' : 'https' };
  const host = endpoint.trim().replace(/\/$/u, '');
  return { host, protocol: LOOPBACK.test(host) ? 'http' : 'https' };
}
