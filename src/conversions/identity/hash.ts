/**
 * SHA-256 primitives shared by every hashed customer field.
 *
 * Both platforms match on sha256(utf8(normalised value)) as lowercase hex, so this module only ever
 * sees values that have already been normalised; it never decides what a field should look like.
 */
import { createHash } from 'node:crypto';

/**
 * Plain 64-hex, or the form Meta's parameter builder emits: `<64 hex>.<base64url appendix>`.
 * The whole pattern can be case-insensitive because the appendix class already allows both cases.
 */
const HASHED = /^[0-9a-f]{64}(?:\.[A-Za-z0-9_-]{2,8})?$/i;

export function sha256Hex(s: string): string {
  return createHash('sha256').update(s, 'utf8').digest('hex');
}

/**
 * True when the value is already a hash. Every mature integration has this guard: a caller that
 * hashes upstream (or replays a stored payload) must not get a hash of a hash, which never matches.
 * Deliberately strict (no trimming): callers trim raw input before asking.
 */
export function isAlreadyHashed(s: string): boolean {
  return HASHED.test(s);
}

/**
 * Lowercases the hex digest only. The appendix is base64url, where case carries information, so
 * lowercasing it would corrupt the value the parameter builder wrote.
 */
function canonicalHash(s: string): string {
  const dot = s.indexOf('.');
  return dot === -1 ? s.toLowerCase() : s.slice(0, dot).toLowerCase() + s.slice(dot);
}

/**
 * Hashes a normalised value, or passes an existing hash through in canonical form. Absent or blank
 * input yields undefined so the caller can leave the key out instead of sending the hash of "".
 */
export function hashNormalised(value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  if (isAlreadyHashed(value)) return canonicalHash(value);
  return sha256Hex(value);
}
