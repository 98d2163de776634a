declare const __REGKIT_VERSION__: string | undefined;

/** The package version, set at build time; `0.0.0-dev` when run from source. */
export const VERSION: string = typeof __REGKIT_VERSION__ === 'string' ? __REGKIT_VERSION__ : '0.0.0-dev';
