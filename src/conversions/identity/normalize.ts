/**
 * Normalisers for email, postal code and external id, and the single entry point re-exporting the
 * other field rules (names/city, country, state, phone).
 *
 * Each returns the exact string that gets hashed, or undefined when nothing usable is left: the
 * platforms only match byte-identical strings, so a half-cleaned value is worth less than no value,
 * and an absent key never blocks the event itself.
 */
import { nfcTrim } from './names.ts';
import { normalizeCountry } from './country.ts';

// One import site for every field rule; the rules themselves live in small per-topic files.
export { normalizeName, normalizeCity, splitName } from './names.ts';
export type { SplitName } from './names.ts';
export { normalizeCountry } from './country.ts';
export { normalizeState } from './state.ts';
export { normalizePhone } from './phone.ts';
export type { NormalisedPhone } from './phone.ts';

/** Deliberately loose: one @, non-empty local part, a dotted domain, no whitespace anywhere. */
const EMAIL = /^[^\s@]+@[^\s@.][^\s@]*\.[^\s@]+$/u;

/** Meta and TikTok both say trim + lowercase only: no gmail dot or +tag folding (that is Google's rule). */
export function normalizeEmail(raw: unknown): string | undefined {
  const s = nfcTrim(raw)?.toLowerCase();
  return s !== undefined && EMAIL.test(s) ? s : undefined;
}

/** Countries (and US territories) addressed with USPS ZIP codes, where Meta wants 5 digits. */
const ZIP_COUNTRIES = new Set(['us', 'pr', 'vi', 'gu', 'as', 'mp']);

/**
 * Lowercase, spaces and dashes removed. US ZIP+4 keeps the first 5 digits only; elsewhere the full
 * postcode is kept ("SW1A 1AA" → "sw1a1aa"), which is what other integrations send for the UK.
 */
export function normalizePostalCode(raw: unknown, country?: unknown): string | undefined {
  const s = nfcTrim(raw)?.toLowerCase().replace(/[\s\-\u2010-\u2015\u2212]+/gu, '');
  if (s === undefined || s.length < 2) return undefined;
  const cc = normalizeCountry(country);
  if (cc !== undefined && ZIP_COUNTRIES.has(cc)) {
    const zip = /^(\d{5})(?:\d{4})?$/.exec(s);
    if (zip) return zip[1];
  }
  return s;
}

/**
 * Trim + lowercase on both platforms (reference §4.3). Our ids are lowercase UUIDs already; the
 * lowercase step keeps a hand-typed or upper-cased copy from producing a second identity.
 */
export function normalizeExternalId(raw: unknown): string | undefined {
  return nfcTrim(raw)?.toLowerCase();
}
