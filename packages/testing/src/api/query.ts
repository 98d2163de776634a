/**
 * Go's `url.QueryEscape`: everything but `A-Za-z0-9-_.~` percent-encoded,
 * space as `+`. Link headers must match 2.8 byte for byte (`mid%2Fone`).
 */
export function goQueryEscape(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Go's `strconv.Atoi`: an optional sign and decimal digits, nothing else; `undefined` when it fails. */
export function goAtoi(value: string): number | undefined {
  if (!/^[+-]?\d+$/.test(value)) return undefined;
  const parsed = Number(value);
  return Number.isSafeInteger(parsed) ? parsed : undefined;
}

/** A relative `Link` to the next page, keys sorted as Go's `url.Values.Encode` writes them. */
export function nextLink(path: string, last: string, n: number): string {
  return `<${path}?last=${goQueryEscape(last)}&n=${n}>; rel="next"`;
}
