/** The parts of `docker-registry-client` 3.4 (no bundled types) that the benchmark calls. */
declare module 'docker-registry-client' {
  import type { IncomingMessage } from 'node:http';

  type Callback<T extends unknown[]> = (error: Error | null, ...results: T) => void;

  export interface RegistryClientV2 {
    getManifest(
      options: { ref: string; acceptManifestLists?: boolean; maxSchemaVersion?: number },
      callback: Callback<[manifest: Record<string, unknown>, response: IncomingMessage, manifestString: string]>,
    ): void;
    listTags(callback: Callback<[body: { name: string; tags: string[] }, response: IncomingMessage]>): void;
    createBlobReadStream(
      options: { digest: string },
      callback: Callback<[stream: IncomingMessage, responses: IncomingMessage[]]>,
    ): void;
    close(): void;
  }

  export function createClientV2(options: {
    name: string;
    scheme?: string;
    acceptManifestLists?: boolean;
    maxSchemaVersion?: number;
    log?: object;
    insecure?: boolean;
  }): RegistryClientV2;

  export function digestFromManifestStr(manifest: string): string;
}
