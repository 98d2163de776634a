/**
 * `Authorization: Basic` value for a username and password (RFC 7617),
 * UTF-8 encoded. Kept local so the package has no runtime dependency
 * besides `@regkit/core`.
 */
export function basicAuthorization(username: string, password: string): string {
  const bytes = new TextEncoder().encode(`${username}:${password}`);
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return `Basic ${btoa(binary)}`;
}
