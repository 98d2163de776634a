import { createServer } from 'node:net';

/**
 * Fetch refuses a list of "bad ports" (WHATWG fetch §2.9); in 5000–5999 that
 * is 5060 and 5061 (SIP). A registry there would be unreachable from Node's fetch.
 */
const FETCH_BAD_PORTS = new Set([5060, 5061]);
const FIRST_PORT = 5000;
const LAST_PORT = 5999;

/** Ports this process has handed out, so parallel starts never pick the same one. */
const handedOut = new Set<number>();

/** True when nothing listens on 127.0.0.1:`port` right now. */
export function isPortFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ port, host: '127.0.0.1', exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A free loopback port in 5000–5999 that fetch accepts. The registry binds it
 * after we release it, so a race with another process is possible; callers
 * retry on "address already in use".
 */
export async function pickRegistryPort(): Promise<number> {
  const span = LAST_PORT - FIRST_PORT + 1;
  const start = Math.floor(Math.random() * span);
  for (let i = 0; i < span; i++) {
    const port = FIRST_PORT + ((start + i) % span);
    if (FETCH_BAD_PORTS.has(port) || handedOut.has(port)) continue;
    if (await isPortFree(port)) {
      handedOut.add(port);
      return port;
    }
  }
  throw new Error('no free port in 5000-5999 on 127.0.0.1');
}

/** Lets {@link pickRegistryPort} hand `port` out again. */
export function releaseRegistryPort(port: number): void {
  handedOut.delete(port);
}
