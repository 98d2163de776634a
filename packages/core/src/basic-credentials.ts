/**
 * The `Authorization: Basic` value for a username and password (RFC 7617),
 * UTF-8 encoded: what token GETs and Basic-protected registries expect.
 *
 * @example
 * ```ts
 * basicAuthorization('ci', 'pässword'); // 'Basic Y2k6cMOkc3N3b3Jk'
 * ```
 */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
