import { describe, expect, it } from 'vitest';
import type { Authenticator } from '../authenticator';
import { UnauthorizedError } from '../errors';
import { Registry } from '../registry';
import { rejectionOf } from '../test-support';
import type { Transport } from '../transport';
import { recordingTransport } from './test-transport';

const CHALLENGE = {
  status: 401,
  headers: { 'www-authenticate': 'Bearer realm="https://auth.test/token"', 'content-type': 'application/json' },
  body: '{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}',
};

/** An authenticator that takes a while to decide (as a token request does) and notes what it saw meanwhile. */
function slowAuthenticator(resend: boolean, seen: (status: number) => void): Authenticator {
  return {
    specificationVersion: 'v1',
    name: 'slow',
    handleRequest: async () => undefined,
    async handleResponse({ response }) {
      await new Promise((resolve) => setTimeout(resolve, 10));
      seen(response.status);
      return { resend: resend && response.status === 401 };
    },
  };
}

describe('the body of a challenge while the authenticator works', () => {
  it('is read into memory at once, so its connection is free for the token request and the resend', async () => {
    let calls = 0;
    const transport = recordingTransport(() => (++calls === 1 ? CHALLENGE : { status: 200, body: '{"tags":["a"]}' }));
    const inFlightWhileDeciding: number[] = [];
    const authenticator = slowAuthenticator(true, (status) => {
      if (status === 401) inFlightWhileDeciding.push(transport.inFlight);
    });
    const registry = new Registry({ domain: 'registry.test', transport, authenticator });
    await registry.repository('app').tags().getAll();
    // The 401's body counted as in flight until read or cancelled; it was read before the decision came.
    expect(inFlightWhileDeciding).toEqual([0]);
    expect(transport.calls).toHaveLength(2);
  });

  it('comes back from memory in the error when the request is not resent', async () => {
    const transport = recordingTransport(() => CHALLENGE);
    const registry = new Registry({
      domain: 'registry.test',
      transport,
      authenticator: slowAuthenticator(false, () => undefined),
    });
    const error = await rejectionOf(registry.repository('app').tags().getAll());
    expect(UnauthorizedError.isInstance(error)).toBe(true);
    expect((error as UnauthorizedError).errors).toEqual([
      expect.objectContaining({ code: 'UNAUTHORIZED', message: 'authentication required' }),
    ]);
  });

  it('is not read ahead for a success: content stays on the wire until the caller reads it', async () => {
    let pulls = 0;
    const body = new ReadableStream<Uint8Array>(
      {
        pull(controller) {
          pulls++;
          controller.enqueue(new TextEncoder().encode('{"tags":["a"]}'));
          controller.close();
        },
      },
      { highWaterMark: 0 },
    );
    // Not the recording transport: its in-flight tracking reads one chunk ahead.
    const transport: Transport = {
      specificationVersion: 'v1',
      name: 'one-body',
      send: async (request) => ({ status: 200, headers: {}, url: request.url, body }),
    };
    let pullsWhileDeciding = -1;
    const authenticator = slowAuthenticator(false, () => {
      pullsWhileDeciding = pulls;
    });
    const registry = new Registry({ domain: 'registry.test', transport, authenticator });
    expect(await registry.repository('app').tags().getAll()).toEqual(['a']);
    expect(pullsWhileDeciding).toBe(0);
  });
});
