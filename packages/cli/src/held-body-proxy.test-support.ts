import { createServer, request as httpRequest, type Server } from 'node:http';

/** A reverse proxy that stops one large body part-way, for as long as a test needs to look. */
export interface HeldBodyProxy {
  /** `host:port` to give the CLI instead of the registry's. */
  readonly host: string;
  /** Resolves once a body has been held: this many bytes went out and no more will until `release()`. */
  readonly held: Promise<number>;
  /** Lets the held body flow again. */
  release(): void;
  close(): Promise<void>;
}

/**
 * Starts a loopback reverse proxy in front of `origin` that forwards
 * everything, but stops the first response body longer than `holdAt` bytes
 * once `holdAt` bytes went through, until `release()`. A test can then see
 * a transfer mid-way however fast or loaded the machine is, instead of
 * hoping to sample it at the right moment.
 */
export async function startHeldBodyProxy(origin: string, holdAt: number): Promise<HeldBodyProxy> {
  let markHeld!: (bytes: number) => void;
  const held = new Promise<number>((resolve) => {
    markHeld = resolve;
  });
  let holding = false;
  let heldOnce = false;
  const waiting: (() => void)[] = [];
  const server: Server = createServer((req, res) => {
    const upstream = httpRequest(new URL(req.url ?? '/', origin), { method: req.method, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      const length = Number(answer.headers['content-length'] ?? 0);
      const mayHold = !heldOnce && length > holdAt;
      let sent = 0;
      const resume = () => {
        if (holding) waiting.push(resume);
        else answer.resume();
      };
      answer.on('data', (chunk: Buffer) => {
        // Never more than `holdAt` bytes before the hold, so the client cannot have read past it.
        const room = mayHold && !heldOnce ? holdAt - sent : chunk.length;
        const now = room < chunk.length ? chunk.subarray(0, room) : chunk;
        const later = room < chunk.length ? chunk.subarray(room) : undefined;
        const flowing = res.write(now);
        sent += now.length;
        if (later !== undefined) {
          heldOnce = true;
          holding = true;
          answer.pause();
          waiting.push(() => {
            res.write(later);
            sent += later.length;
            answer.resume();
          });
          markHeld(sent);
          return;
        }
        if (!flowing) {
          answer.pause();
          res.once('drain', resume);
        }
      });
      answer.on('end', () => res.end());
      answer.on('error', () => res.destroy());
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no port');
  return {
    host: `127.0.0.1:${address.port}`,
    held,
    release() {
      holding = false;
      for (const next of waiting.splice(0)) next();
    },
    close() {
      server.closeAllConnections();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
