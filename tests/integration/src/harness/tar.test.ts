import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { createTarGzip } from './tar';

describe('createTarGzip', () => {
  const files = [
    { path: 'go/VERSION', content: 'go1.12\n' },
    { path: 'etc/empty', content: '' },
    { path: 'data/block', content: 'x'.repeat(512) },
  ];
  const { tar, gzip } = createTarGzip(files);

  it('pads every member to 512-byte blocks and gunzips to the tar', () => {
    expect(tar.length % 512).toBe(0);
    expect(Buffer.from(gunzipSync(gzip)).equals(Buffer.from(tar))).toBe(true);
  });

  it('is reproducible', () => {
    expect(Buffer.from(createTarGzip(files).gzip).equals(Buffer.from(gzip))).toBe(true);
  });

  it('is read back by GNU tar with the same names and contents', () => {
    const dir = mkdtempSync(join(tmpdir(), 'regkit-tar-'));
    try {
      writeFileSync(join(dir, 'layer.tar.gz'), gzip);
      const listing = execFileSync('tar', ['-tzf', join(dir, 'layer.tar.gz')], { encoding: 'utf8' });
      expect(listing.trim().split('\n')).toEqual(['go/VERSION', 'etc/empty', 'data/block']);
      execFileSync('tar', ['-xzf', join(dir, 'layer.tar.gz'), '-C', dir]);
      expect(readFileSync(join(dir, 'go/VERSION'), 'utf8')).toBe('go1.12\n');
      expect(readFileSync(join(dir, 'data/block'), 'utf8')).toBe('x'.repeat(512));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
