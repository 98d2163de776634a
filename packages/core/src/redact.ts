import type { RequestSummary } from './errors';

/**
 * Query parameters that carry credentials or signatures: registry upload
 * state, pre-signed storage URLs (S3, GCS, Azure) and OAuth leftovers.
 */
const SECRET_PARAM = /token|signature|credential|secret|password|^sig$|^se$|^sv$|^_state$|key|auth/i;

/** A URL safe to show: no user info, secret-looking query values replaced. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return '<invalid url>';
  }
  url.username = '';
  url.password = '';
  for (const name of new Set(url.searchParams.keys())) {
    if (SECRET_PARAM.test(name)) url.searchParams.set(name, 'REDACTED');
  }
  return url.toString();
}

/** The redacted summary that errors carry instead of the request itself. */
export function summarizeRequest(method: string, url: string): RequestSummary {
  return { method, url: redactUrl(url) };
}
