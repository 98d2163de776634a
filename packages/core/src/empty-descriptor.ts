import type { Descriptor } from './manifest';
import { MediaTypes } from './media-types';

/** The OCI empty JSON blob `{}`: the config of artifacts that need none. */
export const EMPTY_JSON = new Uint8Array([0x7b, 0x7d]);
export const EMPTY_DIGEST = 'sha256:44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a';
/** The empty descriptor of the image spec, with its content embedded (`e30=` is `{}`). */
export const EMPTY_DESCRIPTOR: Descriptor = Object.freeze({
  mediaType: MediaTypes.OciEmpty,
  digest: EMPTY_DIGEST,
  size: 2,
  data: 'e30=',
});
