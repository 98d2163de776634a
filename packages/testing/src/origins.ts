import type { FakeRegistry } from './fake-registry';

/** The configured origins a fake answers (registry, token service, blob storage), each once. */
export function interceptedOrigins(registry: Pick<FakeRegistry, 'origin' | 'authOrigin' | 'cdnOrigin'>): string[] {
  const origins = [registry.origin, registry.authOrigin, registry.cdnOrigin].filter(
    (origin): origin is string => origin !== undefined,
  );
  return [...new Set(origins)];
}
