/**
 * Whether `NO_PROXY` exempts a host from the proxy. Entries are separated by
 * commas or spaces; `*` exempts everything; `example.com`, `.example.com`
 * and `*.example.com` all cover `example.com` and its subdomains; an entry
 * with a port (`registry.local:5000`) covers only that port. IPv6 entries
 * are written in brackets with a port (`[::1]:5000`) or bare without one.
 * As in the library's undici transport, loopback is not exempt unless listed.
 */
export function isProxyExempt(noProxy: string | undefined, url: URL): boolean {
  if (noProxy === undefined) return false;
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port === '' ? (url.protocol === 'https:' ? '443' : '80') : url.port;
  for (const raw of noProxy.split(/[\s,]+/)) {
    const entry = raw.trim().toLowerCase();
    if (entry === '') continue;
    if (entry === '*') return true;
    const { name, entryPort } = splitEntry(entry);
    if (entryPort !== undefined && entryPort !== port) continue;
    const domain = name.replace(/^\*?\./, '');
    if (domain !== '' && (host === domain || host.endsWith(`.${domain}`))) return true;
  }
  return false;
}

function splitEntry(entry: string): { name: string; entryPort: string | undefined } {
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry);
  if (bracketed !== null) return { name: bracketed[1] as string, entryPort: bracketed[2] };
  // More than one colon and no brackets: a bare IPv6 address, which has no port.
  if (entry.indexOf(':') !== entry.lastIndexOf(':')) return { name: entry, entryPort: undefined };
  const withPort = /^(.*):(\d+)$/.exec(entry);
  return withPort === null ? { name: entry, entryPort: undefined } : { name: withPort[1] as string, entryPort: withPort[2] };
}
