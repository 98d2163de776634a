/**
 * Behaviour that differs between registry implementations, kept as data so
 * a test can pick a profile or tweak one field.
 */
export interface RegistryProfile {
  /** A name for messages. */
  readonly name: string;
  /**
   * Tags list paging. `oci`: tags sorted, `n`/`last` honoured, `Link` to the
   * next page (distribution 3, the OCI spec). `none`: `n`/`last` ignored,
   * every tag in insertion order, no `Link` (distribution 2.8).
   */
  readonly tagsPaging: 'oci' | 'none';
  /** Largest tags page `n` accepted before 400 `PAGINATION_NUMBER_INVALID`; `undefined` for no cap. */
  readonly tagsMaxPageSize: number | undefined;
  /** Catalog page size when `n` is absent, negative or not a number. 2.8: 100. */
  readonly catalogDefaultPageSize: number;
  /** Largest catalog `n` before 400 `PAGINATION_NUMBER_INVALID` (`catalog.maxentries`). 2.8: 1000. */
  readonly catalogMaxPageSize: number;
  /** When false every DELETE answers 405 `UNSUPPORTED` (`storage.delete.enabled: false`). */
  readonly deleteEnabled: boolean;
  /** The platform a manifest list falls back to for clients that do not accept lists. 2.8: linux/amd64. */
  readonly defaultPlatform: { readonly os: string; readonly architecture: string };
}

/** Built-in profile names. */
export type RegistryProfileName = 'distribution' | 'distribution-2.8';

const DISTRIBUTION: RegistryProfile = {
  name: 'distribution',
  tagsPaging: 'oci',
  tagsMaxPageSize: undefined,
  catalogDefaultPageSize: 100,
  catalogMaxPageSize: 1000,
  deleteEnabled: true,
  defaultPlatform: { os: 'linux', architecture: 'amd64' },
};

/**
 * Built-in profiles. `distribution` answers like distribution 2.8.2 except
 * that the tags list pages as the OCI spec (and distribution 3) says;
 * `distribution-2.8` also keeps 2.8's unpaged, unsorted tags list.
 *
 * @example Delete disabled
 * ```ts
 * createFakeRegistry({ profile: { ...PROFILES.distribution, deleteEnabled: false } });
 * ```
 */
export const PROFILES: Readonly<Record<RegistryProfileName, RegistryProfile>> = {
  distribution: DISTRIBUTION,
  'distribution-2.8': { ...DISTRIBUTION, name: 'distribution-2.8', tagsPaging: 'none' },
};
