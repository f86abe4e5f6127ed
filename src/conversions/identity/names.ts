/**
 * Names and places: the "letters only" rule Meta gives for fn, ln and ct, plus the text
 * primitives the other normalisers share (kept here so no two field modules import each other).
 *
 * NFC comes first everywhere: the same name typed on macOS (often NFD) and on Windows (NFC) must
 * give the same bytes, because the platforms only match byte-identical hashes.
 */

/** Non-strings can reach us through untyped JSON (Stripe metadata, replays); treat them as absent. */
export function nfcTrim(raw: unknown): string | undefined {
  if (typeof raw !== 'string') return undefined;
  const s = raw.normalize('NFC').trim();
  return s === '' ? undefined : s;
}

/**
 * Lowercase and keep only letters, combining marks and digits: Meta's rule for names and city
 * ("lowercase, no whitespace, no punctuation, UTF-8 allowed"). Marks are kept on purpose: scripts
 * such as Devanagari or Thai have no precomposed forms, so dropping \p{M} would mangle their names.
 * Lowercasing can emit decomposed sequences (e.g. Turkish İ), hence the second NFC.
 */
export function compactLetters(raw: unknown): string | undefined {
  const s = nfcTrim(raw);
  if (s === undefined) return undefined;
  const out = s.toLowerCase().normalize('NFC').replace(/[^\p{L}\p{M}\p{N}]+/gu, '');
  return out === '' ? undefined : out;
}

/** fn / ln: lowercase, no whitespace or punctuation, non-ASCII letters kept (Meta: "valéry", "정"). */
export function normalizeName(raw: unknown): string | undefined {
  return compactLetters(raw);
}

export interface SplitName {
  firstName?: string;
  lastName?: string;
}

/**
 * Stripe gives a single `name`. First token → first name, everything after it → last name, so
 * compound surnames survive ("Anna van der Berg" → "anna" / "vanderberg"), and a single token
 * is a first name only. We do not guess family-name-first order for CJK ("山田 花子" → fn 山田,
 * ln 花子): script is a poor predictor of the order a customer typed, and a wrong guess costs the
 * same as no guess. Tokens that are pure punctuation ("-", "&") are skipped before splitting.
 */
export function splitName(full: unknown): SplitName {
  const s = nfcTrim(full);
  if (s === undefined) return {};
  const tokens = s
    .split(/\s+/u)
    .map((t) => compactLetters(t))
    .filter((t): t is string => t !== undefined);
  const [first, ...rest] = tokens;
  const out: SplitName = {};
  if (first !== undefined) out.firstName = first;
  if (rest.length > 0) out.lastName = rest.join('');
  return out;
}

/**
 * Project rule (reference §4.3): same as names, non-ASCII kept ("Malmö" → "malmö"). Meta's doc allows
 * UTF-8; the parameter builder's ASCII-only "malm" would be a different hash from the browser pixel.
 */
export function normalizeCity(raw: unknown): string | undefined {
  return compactLetters(raw);
}
