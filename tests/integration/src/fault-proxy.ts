/**
 * A loopback TCP proxy in front of a registry that can cut a connection in
 * the middle of an upload request (a PATCH, or a PUT carrying a blob): it forwards the request head and the first
 * `forwardBodyBytes` of the body, then destroys both sides, the way a
 * dropped network connection looks to client and registry. Every other
 * request passes through untouched. It parses HTTP/1.1 framing only as far
 * as `Content-Length` bodies; after a chunked request head (a streamed
 * upload) the rest of the connection is piped raw, and a cut armed for that
 * PATCH counts the bytes on the wire, chunk framing included.
 */
import net from 'node:net';

/** What the proxy does to the next PATCH, or PUT with a body. */
export interface PatchCut {
  /** Body bytes the registry receives before the cut. */
  readonly forwardBodyBytes: number;
}

export interface FaultProxy {
  /** `127.0.0.1:<port>`, to use as the registry domain. */
  readonly host: string;
  /** Arms a cut for the next PATCH (one-shot). */
  cutNextPatch(cut: PatchCut): void;
  /** Arms a cut for the next PUT with a body (one-shot): a blob sent on the closing PUT. */
  cutNextPut(cut: PatchCut): void;
  /** How many cuts happened. */
  readonly cuts: number;
  /** Request lines seen, in order (`PATCH /v2/...`). */
  readonly requests: readonly string[];
  /** Client connections accepted so far (a kept-alive connection carries many requests). */
  readonly connections: number;
  close(): Promise<void>;
}

const HEAD_END = Buffer.from('\r\n\r\n');

/** Starts a proxy on a free loopback port that forwards to `upstream` (`host:port`). */
export async function startFaultProxy(upstream: string): Promise<FaultProxy> {
  const [upstreamHost = '127.0.0.1', upstreamPort = '80'] = upstream.split(':');
  let armed: (PatchCut & { readonly method: 'PATCH' | 'PUT' }) | undefined;
  let cuts = 0;
  let connections = 0;
  const requests: string[] = [];
  const sockets = new Set<net.Socket>();

  const server = net.createServer((client) => {
    connections++;
    const server = net.connect(Number(upstreamPort), upstreamHost);
    sockets.add(client);
    sockets.add(server);
    client.on('close', () => sockets.delete(client));
    server.on('close', () => sockets.delete(server));
    const destroyBoth = () => {
      client.destroy();
      server.destroy();
    };
    client.on('error', destroyBoth);
    server.on('error', destroyBoth);
    server.on('data', (data) => client.write(data));
    server.on('end', () => client.end());

    let buffered = Buffer.alloc(0);
    let bodyLeft = 0;
    let raw = false;
    let cut: { remaining: number } | undefined;
    let dead = false;
    const cutNow = () => {
      dead = true;
      cuts++;
      // Let the forwarded bytes reach the registry before both sides drop.
      setTimeout(destroyBoth, 100);
    };

    // Raw bytes of a chunked body, cut when an armed cut runs out.
    const forwardRaw = (data: Buffer) => {
      if (cut === undefined) {
        server.write(data);
        return;
      }
      const forward = Math.min(cut.remaining, data.length);
      if (forward > 0) server.write(data.subarray(0, forward));
      cut.remaining -= forward;
      if (cut.remaining <= 0) cutNow();
    };

    client.on('data', (data: Buffer) => {
      if (dead) return;
      if (raw) {
        forwardRaw(data);
        return;
      }
      buffered = Buffer.concat([buffered, data]);
      while (buffered.length > 0) {
        if (bodyLeft > 0) {
          const take = Math.min(bodyLeft, buffered.length);
          if (cut !== undefined) {
            const forward = Math.min(cut.remaining, take);
            if (forward > 0) server.write(buffered.subarray(0, forward));
            cut.remaining -= forward;
            if (cut.remaining <= 0) {
              cutNow();
              return;
            }
          } else {
            server.write(buffered.subarray(0, take));
          }
          bodyLeft -= take;
          buffered = buffered.subarray(take);
          continue;
        }
        const end = buffered.indexOf(HEAD_END);
        if (end < 0) return;
        const head = buffered.subarray(0, end + HEAD_END.length);
        buffered = buffered.subarray(end + HEAD_END.length);
        const text = head.toString('latin1');
        const [requestLine = ''] = text.split('\r\n');
        requests.push(requestLine.replace(/ HTTP\/1\.1$/, ''));
        const length = /\r\ncontent-length:\s*(\d+)/i.exec(text);
        bodyLeft = length?.[1] === undefined ? 0 : Number(length[1]);
        if (/\r\ntransfer-encoding:/i.test(text)) raw = true;
        server.write(head);
        if (armed !== undefined && requestLine.startsWith(`${armed.method} `) && (bodyLeft > 0 || raw)) {
          cut = { remaining: armed.forwardBodyBytes };
          armed = undefined;
          if (cut.remaining === 0) {
            cutNow();
            return;
          }
        }
        if (raw) {
          const rest = buffered;
          buffered = Buffer.alloc(0);
          if (rest.length > 0) forwardRaw(rest);
          return;
        }
      }
    });
    client.on('end', () => server.end());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  return {
    host: `127.0.0.1:${port}`,
    cutNextPatch(next) {
      armed = { ...next, method: 'PATCH' };
    },
    cutNextPut(next) {
      armed = { ...next, method: 'PUT' };
    },
    get cuts() {
      return cuts;
    },
    get connections() {
      return connections;
    },
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
