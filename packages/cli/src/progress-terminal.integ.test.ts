import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { buildBlob, buildImage, createFakeRegistry } from '@regkit/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type HeldBodyProxy, startHeldBodyProxy } from './held-body-proxy.test-support';
import { assertBuilt, BIN, runCli } from './test-support';

const exec = promisify(execFile);
const SIZE = 256 * 1024 * 1024;
const blob = buildBlob(SIZE, { seed: 'regkit-cli-progress' });

/** tmux on a private socket, so nothing touches a user's own sessions. */
const socket = `regkit-cli-test-${process.pid}`;
const tmux = (...args: string[]) => exec('tmux', ['-L', socket, '-f', '/dev/null', ...args]);
const tmuxMissing = await exec('tmux', ['-V']).then(
  () => undefined,
  () => 'tmux is not installed',
);

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('progress bars for a 256 MiB blob', () => {
  let origin: { host: string; close(): Promise<void> };
  let proxy: HeldBodyProxy;
  let dir: string;
  beforeAll(async () => {
    assertBuilt();
    const registry = createFakeRegistry({ fixtures: false });
    registry.putBlob('team/big', blob);
    const server = await registry.listen();
    origin = { host: new URL(server.origin).host, close: () => server.close() };
    // The terminal test reads through this proxy, which stops the blob half-way until a frame shows it.
    proxy = await startHeldBodyProxy(server.origin, SIZE / 2);
    dir = await mkdtemp(join(tmpdir(), 'regkit-progress-'));
  });
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    proxy?.release();
    await proxy?.close();
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it.skipIf(tmuxMissing !== undefined)('draws a bar with bytes, rate and ETA in a terminal, and finishes at 100%', async () => {
    const file = join(dir, 'big.bin');
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} blob ${proxy.host}/team/big@${blob.digest} -o ${JSON.stringify(file)}; echo REGKIT_EXIT=$?; sleep 600`;
    await tmux('new-session', '-d', '-s', 'bar', '-x', '160', '-y', '12', command);
    const capture = async () => (await tmux('capture-pane', '-p', '-t', 'bar')).stdout;
    const sentBeforeHold = await proxy.held;
    // Mid-way: a partly filled bar with a percentage below 100, bytes of the total, a rate and an ETA
    // (padded to its width: `ETA  1s`).
    // The body stays held until such a frame is on screen, so it is there however the machine runs.
    const midway = /█+░+\s+([1-9]|[1-9]\d)% \| [\d.]+ [KMG]iB\/256\.0 MiB \| [\d.]+ [KMG]?i?B\/s \| ETA\s+\d+s/;
    let screen = '';
    let partial: string | undefined;
    for (const heldUntil = Date.now() + 30_000; Date.now() < heldUntil; await sleep(100)) {
      screen = await capture();
      if (midway.test(screen)) {
        partial = screen;
        break;
      }
    }
    proxy.release();
    expect(partial, `no frame showed the bar mid-way (${sentBeforeHold} bytes sent); last screen:\n${screen}`).toBeDefined();
    for (const deadline = Date.now() + 90_000; Date.now() < deadline && !screen.includes('REGKIT_EXIT='); await sleep(100)) {
      screen = await capture();
    }
    expect(screen).toContain('REGKIT_EXIT=0');
    // The last frame: the bar full and the byte count complete.
    expect(screen).toMatch(/█{30} 100% \| 256\.0 MiB\/256\.0 MiB \| /);
    expect((await stat(file)).size).toBe(SIZE);
  });

  it('writes plain lines without escape codes when stderr is not a terminal, and nothing with --quiet or --json', async () => {
    const file = join(dir, 'plain.bin');
    const run = await runCli(['blob', `${origin.host}/team/big@${blob.digest}`, '-o', file]);
    expect(run.code).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes is the point
    expect(run.stderr).not.toMatch(/\u001b|\r/);
    const lines = run.stderr.trimEnd().split('\n');
    expect(lines[0]).toBe(`${blob.digest.slice(0, 19)}: started, 256.0 MiB`);
    expect(lines.at(-1)).toMatch(/: done, 256\.0 MiB in [\d.]+ s \([\d.]+ [KMG]iB\/s\)$/);
    const quiet = await runCli(['blob', `${origin.host}/team/big@${blob.digest}`, '-o', file, '-q']);
    expect(quiet).toMatchObject({ code: 0, stderr: '', stdout: '' });
    const json = await runCli(['blob', `${origin.host}/team/big@${blob.digest}`, '-o', file, '--json']);
    expect(json.stderr).toBe('');
    expect(JSON.parse(json.stdout)).toMatchObject({ digest: blob.digest, size: SIZE });
  });
});

describe('progress bars for a copy', () => {
  // Three 3 MiB layers and a config, copied between two registries, so every blob is sent.
  const image = buildImage({ layers: [randomBytes(3 << 20), randomBytes(3 << 20), randomBytes(3 << 20)] });
  let source: { host: string; close(): Promise<void> };
  let destination: { host: string; close(): Promise<void> };
  beforeAll(async () => {
    assertBuilt();
    const from = createFakeRegistry({ fixtures: false });
    from.putImage('team/app', 'v1', image);
    const to = createFakeRegistry({ fixtures: false });
    const [a, b] = await Promise.all([from.listen(), to.listen()]);
    source = { host: new URL(a.origin).host, close: () => a.close() };
    destination = { host: new URL(b.origin).host, close: () => b.close() };
  });
  afterAll(async () => {
    await tmux('kill-server').catch(() => undefined);
    await source?.close();
    await destination?.close();
  });

  it.skipIf(tmuxMissing !== undefined)('draws one bar per blob sent and a total, each finished', async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} copy ${source.host}/team/app:v1 ${destination.host}/mirror/app:v1; echo REGKIT_EXIT=$?; sleep 600`;
    await tmux('new-session', '-d', '-s', 'copy', '-x', '160', '-y', '20', command);
    let screen = '';
    for (const deadline = Date.now() + 60_000; Date.now() < deadline && !screen.includes('REGKIT_EXIT='); await sleep(100)) {
      screen = (await tmux('capture-pane', '-p', '-t', 'copy')).stdout;
    }
    expect(screen).toContain('REGKIT_EXIT=0');
    for (const blob of image.blobs) {
      const label = blob.digest.slice(0, 19);
      const bar = screen.split('\n').filter((line) => line.startsWith(label));
      expect(bar, `one bar for ${label}:\n${screen}`).toHaveLength(1);
      expect(bar[0]).toMatch(/ █{30} 100% \| /);
    }
    expect(screen).toMatch(/^total, 4 blobs\s+█{30} 100% \| 9\.0\d? MiB\/9\.0\d? MiB \| /m);
  });

  it('keeps to one total in plain lines, without escape codes, when stderr is not a terminal', async () => {
    const run = await runCli(['copy', `${source.host}/team/app:v1`, `${destination.host}/mirror/plain:v1`]);
    expect(run.code, run.stderr).toBe(0);
    // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape codes is the point
    expect(run.stderr).not.toMatch(/\u001b|\r/);
    const progressLines = run.stderr.split('\n').filter((line) => /^(total|sha256:)/.test(line));
    expect(progressLines.length).toBeGreaterThan(1);
    for (const line of progressLines) expect(line).toMatch(/^total, 4 blobs: /);
    expect(progressLines.at(-1)).toMatch(/^total, 4 blobs: done, /);
  });
});
