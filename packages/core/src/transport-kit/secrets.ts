import type { HeaderMap } from '../transport';

/** Header names whose values are credentials, or may be: whatever an authenticator adds. */
const SECRET_HEADER = /^(authorization|proxy-authorization|cookie)$|token|auth|key|secret|session|password|signature|credential/i;

/** Shorter values are too common to scrub without mangling the message (`Basic`, `on`). */
const MIN_SECRET_LENGTH = 6;

/**
 * The request header values an error must never repeat: every value of a
 * credential-bearing header, and its credential part alone (`abc` of
 * `Bearer abc`), since libraries quote either.
 */
export function secretValues(headers: Readonly<HeaderMap> | undefined): string[] {
  if (headers === undefined) return [];
  const secrets = new Set<string>();
  for (const [name, value] of Object.entries(headers)) {
    if (typeof value !== 'string' || !SECRET_HEADER.test(name)) continue;
    // The scheme (`Bearer`, `Basic`) is not secret; what follows it is.
    for (const candidate of [value, value.trim(), ...value.trim().split(/\s+/).slice(1)]) {
      if (candidate.length >= MIN_SECRET_LENGTH) secrets.add(candidate);
    }
  }
  // Longest first, so a whole value goes before the parts it contains.
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** `text` with every secret (and its JSON-escaped form) replaced by `[REDACTED]`. */
export function scrubSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    out = out.split(secret).join('[REDACTED]');
    const escaped = JSON.stringify(secret).slice(1, -1);
    if (escaped !== secret) out = out.split(escaped).join('[REDACTED]');
  }
  return out;
}
