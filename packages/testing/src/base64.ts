/** Base64 without `Buffer`, so the fake registry also runs where only web APIs exist. */

/** Standard base64 of `bytes` (strings as UTF-8). */
export function toBase64(data: Uint8Array | string): string {
  const bytes = typeof data === 'string' ? new TextEncoder().encode(data) : data;
  let binary = '';
  // Chunks keep `String.fromCharCode`'s argument list small.
  for (let i = 0; i < bytes.length; i += 0x8000) binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(binary);
}

/** URL-safe base64 without padding (RFC 4648 §5), as JOSE and tokens use. */
export function toBase64Url(data: Uint8Array | string): string {
  return toBase64(data).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/**
 * Decodes standard or URL-safe base64, padded or not; `undefined` when the
 * text is not base64 at all.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
