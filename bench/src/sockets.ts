import { readdir, readFile, readlink } from 'node:fs/promises';

const ESTABLISHED = '01';

/**
 * How many TCP connections process `pid` has established to `127.0.0.1:port`
 * (any local port), from `/proc/net/tcp{,6}` joined with the socket inodes
 * in `/proc/<pid>/fd`. Undefined where `/proc` is not available.
 *
 * The orchestrator calls this on the worker's pid: reading the system-wide
 * TCP table costs CPU in proportion to every connection on the machine
 * (thousands in TIME_WAIT after a client that reconnects per request), and
 * that cost must not be charged to the client being measured.
 */
export async function establishedConnectionsTo(port: number, pid: number): Promise<number | undefined> {
  let table: string;
  try {
    const [v4, v6] = await Promise.all([readFile('/proc/net/tcp', 'utf8'), readFile('/proc/net/tcp6', 'utf8').catch(() => '')]);
    table = `${v4}\n${v6}`;
  } catch {
    return undefined;
  }
  const wanted = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  for (const line of table.split('\n')) {
    // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
    const fields = line.trim().split(/\s+/);
    const remote = fields[2];
    if (fields[3] !== ESTABLISHED || remote === undefined || !remote.endsWith(`:${wanted}`)) continue;
    const inode = fields[9];
    if (inode !== undefined && inode !== '0') inodes.add(inode);
  }
  if (inodes.size === 0) return 0;
  let count = 0;
  const fds = await readdir(`/proc/${pid}/fd`).catch(() => [] as string[]);
  await Promise.all(
    fds.map(async (fd) => {
      const link = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const match = /^socket:\[(\d+)\]$/.exec(link);
      if (match?.[1] !== undefined && inodes.has(match[1])) count++;
    }),
  );
  return count;
}

/** Samples {@link establishedConnectionsTo} every `intervalMs` and keeps the peak. */
export function startSocketSampler(port: number, pid: number, intervalMs = 50): { stop(): Promise<number> } {
  let peak = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      peak = Math.max(peak, (await establishedConnectionsTo(port, pid)) ?? 0);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return peak;
    },
  };
}
