import { redactUrl } from '@regkit/core';
import type { Transport } from '@regkit/core/spec';

/**
 * Logs each request and its status on stderr for `--verbose`. Only the
 * method, the redacted URL and the status are printed: never a header, so
 * no credential can appear.
 */
export function verboseTransport(inner: Transport, log: (line: string) => void): Transport {
  return {
    specificationVersion: 'v1',
    name: inner.name,
    // Logging changes nothing about how bodies travel: keep the inner transport's upload strategy.
    ...(inner.streamsRequestBodies === true && { streamsRequestBodies: true }),
    async send(request, options) {
      const started = performance.now();
      const url = redactUrl(request.url);
      log(`> ${request.method} ${url}`);
      try {
        const response = await inner.send(request, options);
        log(`< ${response.status} ${request.method} ${url} (${Math.round(performance.now() - started)} ms)`);
        return response;
      } catch (error) {
        log(`< failed ${request.method} ${url}: ${error instanceof Error ? error.message : String(error)}`);
        throw error;
      }
    },
    close: () => inner.close?.() ?? Promise.resolve(),
  };
}
