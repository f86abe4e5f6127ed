import { hashNormalised, isAlreadyHashed } from './hash.ts';

/** Trimmed string, or undefined for null, non-strings (untyped JSON) and blanks. */
export function text(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.trim();
  return s === '' ? undefined : s;
}

/**
 * One identifier, hashed. Upstream systems sometimes hash before we see the value: such a value is
 * passed through (hex lower-cased) instead of being normalised, which would reject or mangle it.
 */
export function hashField(raw: unknown, normalise: (s: string) => string | undefined): string | undefined {
  const s = text(raw);
  if (s === undefined) return undefined;
  return hashNormalised(isAlreadyHashed(s) ? s : normalise(s));
}
