import { RegkitError, type RequestSummary, TimeoutError } from '../errors';

/**
 * Adds what the pipeline knows to an error it lets out: the number of
 * attempts made and the redacted request, where the error does not carry
 * them yet. A timeout's message gains the method, the URL, the attempts and
 * the time waited in all, since "request timeout after 1000 ms" alone hides
 * that it was the third try.
 */
export function annotateError(error: unknown, attempts: number, request: () => RequestSummary, elapsedMs: number): void {
  if (!RegkitError.isInstance(error) || error.attempts !== undefined || !Object.isExtensible(error)) return;
  define(error, 'attempts', attempts);
  const summary = error.request ?? request();
  if (error.request === undefined) define(error, 'request', summary);
  if (TimeoutError.isInstance(error)) {
    const where = error.message.includes(summary.url) ? '' : `${summary.method} ${summary.url}: `;
    const tries = attempts > 1 ? `after ${attempts} attempts, ` : '';
    error.message = `${where}${error.message} (${tries}${elapsedMs} ms waited in all)`;
  } else if (attempts > 1) {
    error.message = `${error.message} (after ${attempts} attempts)`;
  }
}

function define(error: RegkitError, name: 'attempts' | 'request', value: unknown): void {
  Object.defineProperty(error, name, { value, enumerable: true, configurable: true, writable: false });
}
