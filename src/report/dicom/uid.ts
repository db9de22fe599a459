/**
 * Deterministic DICOM UIDs: the same parts always give the same UID, so re-exporting a run yields the
 * same instances (a PACS sees an update, not a duplicate), and sources without UIDs (PNG, JPEG, the
 * phantom) get stable ones. Under the 2.25 root (PS3.5 B.2: a UUID as one decimal integer), from a
 * name-based UUID of RFC 9562 version 8 whose 122 free bits are the first bits of a SHA-256.
 */
import { stableHash } from '../../core/hash.js';

/** A `2.25.<decimal>` UID (at most 44 characters) from the SHA-256 of `parts`. */
export function hashUid(...parts: readonly string[]): string {
  const hex = stableHash(['heatcheck-uid', ...parts]).slice(0, 32).split('');
  hex[12] = '8'; // version 8: custom (name-based, SHA-256)
  hex[16] = (0x8 | (parseInt(hex[16]!, 16) & 0x3)).toString(16); // variant 10xx (RFC 9562)
  return `2.25.${BigInt(`0x${hex.join('')}`).toString(10)}`;
}

/** The UID that names heatcheck as the implementation writing a file (File Meta Information). */
export const implementationClassUid = hashUid('implementation-class');
