import { expect, it } from 'vitest';
import {
  describeWithRegistries,
  inspectConfigRaw,
  inspectRaw,
  listTags,
  type SkopeoOptions,
  seedPlan,
  sha256Digest,
} from './harness';

describeWithRegistries('skopeo sees the seeded registries', (harness) => {
  const plan = seedPlan();

  for (const registry of Object.values(harness.registries)) {
    const admin = registry.users.find((user) => user.username === 'admin');
    const options: SkopeoOptions = registry.mode === 'open' || admin === undefined ? {} : { credentials: admin };

    it.skipIf(harness.skopeoMissing !== undefined)(`${registry.mode}: inspect --raw returns the seeded list bytes`, async () => {
      const raw = await inspectRaw(`${registry.host}/library/golang:1.12.0`, options);
      expect(raw.equals(Buffer.from(plan.golang.list.bytes))).toBe(true);
    });

    it.skipIf(harness.skopeoMissing !== undefined)(
      `${registry.mode}: inspect --raw by digest returns the OCI index`,
      async () => {
        const raw = await inspectRaw(`${registry.host}/oci/multi@${harness.seed.ociMulti.digest}`, options);
        expect(sha256Digest(raw)).toBe(harness.seed.ociMulti.digest);
      },
    );

    it.skipIf(harness.skopeoMissing !== undefined)(`${registry.mode}: list-tags sees all 1,050 tags`, async () => {
      const tags = await listTags(`${registry.host}/many/tags`, options);
      expect(tags).toHaveLength(1050);
      expect(new Set(tags)).toEqual(new Set(harness.seed.manyTags.tags));
    });
  }

  it.skipIf(harness.skopeoMissing !== undefined)('inspect --config reads the single image config', async () => {
    const raw = await inspectConfigRaw(`${harness.registries.open.host}/single/app:v1`);
    expect(sha256Digest(raw)).toBe(harness.seed.singleApp.configDigest);
  });

  it.skipIf(harness.skopeoMissing !== undefined)(
    'token mode: anonymous skopeo pulls public repositories but not private/app',
    async () => {
      const { token } = harness.registries;
      expect(await listTags(`${token.host}/single/app`)).toEqual(['v1']);
      await expect(listTags(`${token.host}/private/app`)).rejects.toThrow(/unauthorized|authentication required|denied/i);
    },
  );

  it.skipIf(harness.skopeoMissing !== undefined)('basic mode: wrong credentials fail without leaking the password', async () => {
    const { basic } = harness.registries;
    const error = await listTags(`${basic.host}/single/app`, {
      credentials: { username: 'admin', password: 'not-the-password-x9' },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).not.toContain('not-the-password-x9');
  });
});
