import type { Command } from '../command';
import { formatBytes, table } from '../format';
import { getImage, openImage, platformOption, readConfig } from '../image-reads';
import { platformName, selectPlatform } from '../platform';

/** `regkit inspect <ref> [--platform os/arch[/variant]]`. */
export const inspectCommand: Command = {
  name: 'inspect',
  summary: 'show an image: digest, media type, platforms, attestations',
  args: '<ref>',
  description:
    "Reads the manifest or index a tag or digest names. With --platform, reads that platform's image manifest and config as well: layers, sizes, entrypoint.",
  arity: { min: 1, max: 1 },
  options: {
    platform: { type: 'string', value: 'OS/ARCH[/VARIANT]', help: "one platform's manifest and config, e.g. linux/arm64/v8" },
  },
  examples: ['regkit inspect golang:1.12.0', 'regkit inspect 127.0.0.1:5000/library/golang:1.12.0 --platform linux/arm64 --json'],
  json: '{ reference, digest, mediaType, platforms: [{ os, architecture, variant, digest }], attestations: [{ digest, mediaType, size, subjectDigest }] }; with --platform also platform: { os, architecture, variant, digest, mediaType, size, config: { digest, created, entrypoint, cmd, workingDir, user }, layers: [{ digest, mediaType, size }] }',
  async run(context) {
    const { ref, repository } = await openImage(context);
    const wanted = platformOption(context);
    const image = await getImage(repository, ref);
    const document: Record<string, unknown> = {
      reference: ref.canonical,
      digest: image.digest,
      mediaType: image.mediaType,
      platforms: image.platforms.map((p) => ({
        os: p.os,
        architecture: p.architecture,
        variant: p.variant ?? null,
        digest: p.digest,
      })),
      attestations: image.attestations.map((a) => ({
        digest: a.digest,
        mediaType: a.mediaType,
        size: a.size,
        subjectDigest: a.subjectDigest ?? null,
      })),
    };
    const rows: [string, string][] = [
      ['reference', ref.canonical],
      ['digest', image.digest],
      ['media type', image.mediaType],
    ];
    for (const [i, p] of image.platforms.entries())
      rows.push([i === 0 ? 'platforms' : '', `${platformName(p).padEnd(18)} ${p.digest}`]);
    for (const [i, a] of image.attestations.entries())
      rows.push([i === 0 ? 'attestations' : '', `${a.digest} for ${a.subjectDigest ?? '?'}`]);

    if (wanted !== undefined) {
      const chosen = selectPlatform(image, wanted, ref.canonical);
      const manifest =
        chosen.digest === image.digest
          ? await repository.manifests().get(image.digest)
          : await repository.manifests().get(chosen.digest);
      if (manifest.kind !== 'image')
        throw new Error(`${ref.canonical}: the ${platformName(chosen)} entry is not an image manifest`);
      const { json } = await readConfig(repository, manifest);
      const inner = (json.config ?? {}) as Record<string, unknown>;
      const config = {
        digest: manifest.config.digest,
        created: json.created ?? null,
        entrypoint: inner.Entrypoint ?? null,
        cmd: inner.Cmd ?? null,
        workingDir: inner.WorkingDir || null,
        user: inner.User || null,
      };
      const layers = manifest.layers.map((l) => ({ digest: l.digest, mediaType: l.mediaType, size: l.size }));
      document.platform = {
        os: chosen.os,
        architecture: chosen.architecture,
        variant: chosen.variant ?? null,
        digest: manifest.digest,
        mediaType: manifest.mediaType,
        size: manifest.size,
        config,
        layers,
      };
      const total = layers.reduce((sum, l) => sum + l.size, 0);
      rows.push(
        ['platform', platformName(chosen)],
        ['  manifest', manifest.digest],
        ['  config', manifest.config.digest],
        ['  created', String(config.created ?? '-')],
        ['  entrypoint', JSON.stringify(config.entrypoint)],
        ['  cmd', JSON.stringify(config.cmd)],
        ['  layers', `${layers.length}, ${formatBytes(total)} compressed`],
      );
      for (const l of layers) rows.push(['', `${l.digest}  ${formatBytes(l.size)}`]);
    }
    if (context.out.json) await context.out.document(document);
    else await context.out.line(table(rows));
  },
};
