/**
 * Where the fake knowingly answers differently from distribution 2.8, as
 * named exceptions: the suite leaves these observation fields out of the
 * comparison, and checks that they still differ, so an exception that stops
 * being true fails until it is removed. packages/testing/README.md
 * ("Fidelity") lists the same differences.
 */
import type { RegistryProfileName } from '@regkit/testing';

/** One known difference between a fake profile and the real registry. */
export interface FidelityException {
  /** Stable name, used in test titles. */
  readonly id: string;
  /** The scenario it concerns (its `name`). */
  readonly scenario: string;
  /** The fake profiles that differ; the others must match the real registry here too. */
  readonly profiles: readonly RegistryProfileName[];
  /** The top-level observation fields that differ. */
  readonly fields: readonly string[];
  /** What differs and why the fake does it its way. */
  readonly reason: string;
}

export const FIDELITY_EXCEPTIONS: readonly FidelityException[] = [
  {
    id: 'tags-paging',
    scenario: 'tag listing with n, last and Link',
    profiles: ['distribution', 'oci-1.1'],
    fields: ['firstPage', 'afterLast', 'lastPage', 'noParameters'],
    reason:
      'distribution 2.8 ignores n and last on the tags list and sends every tag, unsorted, without Link; the `distribution` ' +
      'profile sorts and pages as the OCI spec and distribution 3 do. The `distribution-2.8` profile gives 2.8’s answer ' +
      '(in insertion order where 2.8 uses storage order: both unsorted).',
  },
  {
    id: 'schema1-conversion',
    scenario: 'Accept negotiation',
    profiles: ['distribution', 'distribution-2.8', 'oci-1.1'],
    fields: ['v2ByTagWithOciOnly'],
    reason:
      'asked for a schema 2 image by tag without the schema 2 type, distribution 2.8 converts it to a signed schema 1 manifest; ' +
      'the fake does not implement the conversion and answers 400 MANIFEST_INVALID, as 2.8 does when its conversion fails.',
  },
  {
    id: 'multi-range',
    scenario: 'blob range reads',
    profiles: ['distribution', 'distribution-2.8', 'oci-1.1'],
    fields: ['multiRange'],
    reason:
      'distribution answers several ranges with 206 multipart/byteranges; the fake ignores such a Range and sends the whole blob (200).',
  },
  {
    id: 'range-not-satisfiable-length',
    scenario: 'blob range reads',
    profiles: ['distribution', 'distribution-2.8', 'oci-1.1'],
    fields: ['pastTheEnd'],
    reason:
      'for a Range past the end, distribution 2.8 (Go’s http.ServeContent) answers 416 with the blob’s Content-Length but ' +
      'only the short error text as body, so clients see a cut body and no text; the fake sends the text with its own length.',
  },
  {
    id: 'upper-case-repository-name',
    scenario: 'unknown tags, digests, repositories and blobs: errors and OCI codes',
    profiles: ['distribution', 'distribution-2.8', 'oci-1.1'],
    fields: ['upperCaseName'],
    reason:
      'Debian’s 2.8.2 routes an upper-case repository name and then fails: 500 `{}` with the blob descriptor cache the harness ' +
      'enables, 404 NAME_UNKNOWN without it. The fake answers the router miss (text/plain 404) that protocol.md records.',
  },
  {
    id: 'referrers-api',
    scenario: 'unknown tags, digests, repositories and blobs: errors and OCI codes',
    profiles: ['oci-1.1'],
    fields: ['referrers'],
    reason:
      'the `oci-1.1` profile serves the OCI 1.1 referrers API (200, an empty index for a subject without referrers); ' +
      'distribution 2.8 has no such route and answers the text/plain router miss.',
  },
  {
    id: 'referrers-api-subject',
    scenario: 'push: mounts, manifest PUT validation and tagging',
    profiles: ['oci-1.1'],
    fields: ['withSubject', 'referrers'],
    reason:
      'the `oci-1.1` profile answers a manifest PUT with a subject with OCI-Subject and lists it through the referrers API; ' +
      'distribution 2.8 stores the manifest without either.',
  },
  {
    id: 'checked-content-range',
    scenario: 'push: upload sessions, chunks, digests and cancel',
    profiles: ['oci-1.1'],
    fields: ['outOfOrder', 'status'],
    reason:
      'the `oci-1.1` profile refuses a PATCH whose Content-Range does not start where the upload ends (416, as the OCI spec ' +
      'says); distribution 2.8 ignores Content-Range and appends the chunk.',
  },
  {
    id: 'single-post-upload',
    scenario: 'push: upload sessions, chunks, digests and cancel',
    profiles: ['oci-1.1'],
    fields: ['singlePost', 'singleStored'],
    reason:
      'the `oci-1.1` profile completes POST ?digest= with the blob as body in one request (201); distribution 2.8 opens a ' +
      'session and ignores the body (202).',
  },
  {
    id: 'tag-delete',
    scenario: 'delete by digest removes every tag on it',
    profiles: ['oci-1.1'],
    fields: ['byTag'],
    reason: 'the `oci-1.1` profile deletes a tag (202, OCI 1.1); distribution 2.8 answers 400 DIGEST_INVALID.',
  },
];

/** The exceptions that apply to one scenario and fake profile. */
export function exceptionsFor(scenario: string, profile: RegistryProfileName | undefined): FidelityException[] {
  return FIDELITY_EXCEPTIONS.filter(
    (exception) => exception.scenario === scenario && profile !== undefined && exception.profiles.includes(profile),
  );
}
