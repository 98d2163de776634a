// The floor for T0: the same requests as `regkit digest` / `regkit inspect`, written by hand over
// node:http with nothing else loaded. Run as its own process:
//   node cold-raw-http.js digest|inspect <host:port> <repository> <tag>
//   node cold-raw-http.js blob <host:port> <repository> <digest>   (open registries)
// digest: HEAD the manifest (a 401 costs one anonymous token GET and a retry), print the digest.
// inspect: GET the manifest with every manifest type accepted, check its sha256 against
// Docker-Content-Digest, parse it, print the digest and the platforms.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';

const ACCEPT = [
  'application/vnd.oci.image.index.v1+json',
  'application/vnd.docker.distribution.manifest.list.v2+json',
  'application/vnd.oci.image.manifest.v1+json',
  'application/vnd.docker.distribution.manifest.v2+json',
].join(', ');

interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
}

const agent = new Agent({ keepAlive: true });

function send(method: string, url: string, headers: Record<string, string>): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function challengeParams(header: string): Record<string, string> {
  const params: Record<string, string> = {};
  for (const match of header.matchAll(/(\w+)="([^"]*)"/g)) params[match[1] as string] = match[2] as string;
  return params;
}

/** Streams a blob, hashing it, keeping none of it: the floor for `regkit blob`. */
function downloadBlob(host: string, repository: string, digest: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = request(`http://${host}/v2/${repository}/blobs/${digest}`, { agent }, (res) => {
      if (res.statusCode !== 200) return reject(new Error(`blob: HTTP ${res.statusCode}`));
      const hash = createHash('sha256');
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        size += chunk.byteLength;
      });
      res.on('end', () => {
        const actual = `sha256:${hash.digest('hex')}`;
        if (actual !== digest) reject(new Error(`blob digest ${actual} != ${digest}`));
        else {
          process.stdout.write(`${size}\n`);
          resolve();
        }
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const [mode, host, repository, tag] = process.argv.slice(2);
  if (mode === 'blob' && host && repository && tag) {
    await downloadBlob(host, repository, tag);
    agent.destroy();
    return;
  }
  if ((mode !== 'digest' && mode !== 'inspect') || !host || !repository || !tag) {
    throw new Error('usage: cold-raw-http digest|inspect <host:port> <repository> <tag>');
  }
  const method = mode === 'digest' ? 'HEAD' : 'GET';
  const url = `http://${host}/v2/${repository}/manifests/${tag}`;
  const headers: Record<string, string> = { accept: ACCEPT };
  let answer = await send(method, url, headers);
  if (answer.status === 401) {
    const { realm, service, scope } = challengeParams(String(answer.headers['www-authenticate'] ?? ''));
    const tokenUrl = new URL(realm as string);
    if (service) tokenUrl.searchParams.set('service', service);
    tokenUrl.searchParams.set('scope', scope ?? `repository:${repository}:pull`);
    const token = await send('GET', tokenUrl.href, {});
    const { token: value, access_token: accessToken } = JSON.parse(token.body.toString('utf8')) as {
      token?: string;
      access_token?: string;
    };
    headers.authorization = `Bearer ${value ?? accessToken}`;
    answer = await send(method, url, headers);
  }
  if (answer.status !== 200) throw new Error(`${method} ${url}: HTTP ${answer.status}`);
  const digest = String(answer.headers['docker-content-digest']);
  if (mode === 'digest') {
    process.stdout.write(`${digest}\n`);
  } else {
    const actual = `sha256:${createHash('sha256').update(answer.body).digest('hex')}`;
    if (actual !== digest) throw new Error(`digest mismatch: ${actual} != ${digest}`);
    const manifest = JSON.parse(answer.body.toString('utf8')) as {
      manifests?: { platform?: { os: string; architecture: string } }[];
    };
    const platforms = (manifest.manifests ?? []).map((m) => `${m.platform?.os}/${m.platform?.architecture}`);
    process.stdout.write(`${digest}\n${platforms.join('\n')}\n`);
  }
  agent.destroy();
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
