import { PayloadTooLargeError } from '@orch/errors';
import { artifactBytes, MAX_ARTIFACT_BYTES, type ArtifactBody } from '@orch/contracts';

/**
 * Artifact content is limited in bytes of UTF-8 (SPEC §4.1: 256 KB), which the schema cannot say
 * (zod counts characters: 256 K three-byte characters are 768 KB). Checked here, before the body
 * crosses NATS, and again by the session service; too large is 413, not 400.
 */
export function assertArtifactFits(body: ArtifactBody): void {
  if (body.content === undefined) return;
  const bytes = artifactBytes(body.content);
  if (bytes > MAX_ARTIFACT_BYTES) throw artifactTooLarge(bytes);
}

export const artifactTooLarge = (bytes: number) =>
  new PayloadTooLargeError('SESSION.ARTIFACT_TOO_LARGE', `The artifact content is ${bytes} bytes of UTF-8; the limit is ${MAX_ARTIFACT_BYTES} (256 KB): register a uri + sha256 instead`);
