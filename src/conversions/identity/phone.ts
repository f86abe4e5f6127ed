/**
 * Phone → the two shapes the platforms hash: Meta digits with country code and no `+`
 * (16505551212), TikTok E.164 with the `+` (+12133734253). Both come from one parse so they can
 * never disagree about the number itself.
 *
 * `libphonenumber-js/min` (the package's default metadata, ~80 kB) is enough: it carries the
 * country calling codes, national/trunk prefixes and possible lengths, which is all parsing and
 * isPossible() need. `/max` only adds per-range digit patterns for isValid()/getType(), which we do
 * not use, and would cost extra cold-start time in every function bundle.
 */
import { parsePhoneNumberFromString, isSupportedCountry } from 'libphonenumber-js/min';
import type { CountryCode } from 'libphonenumber-js/min';
import { normalizeCountry } from './country.ts';

export interface NormalisedPhone {
  /** E.164 with `+` (TikTok). */
  e164: string;
  /** E.164 without `+` (Meta). */
  digits: string;
}

/**
 * `00` is the international prefix almost everywhere, but libphonenumber only honours it when the
 * default region dials out with 00, and never after a `+` ("+0046…", "+001 …", both seen in real
 * forms). Rewriting it to `+` up front makes those independent of the billing country. No country
 * uses a national number starting with 00, so this cannot swallow a domestic number. The US `011`
 * prefix is left to libphonenumber, which handles it when the billing country is US.
 */
function rewriteInternationalPrefix(s: string): string {
  return s.replace(/^\+?[\s.\-()]*0\s*0[\s.\-()]*/u, '+');
}

function defaultRegion(country: unknown): CountryCode | undefined {
  const cc = normalizeCountry(country)?.toUpperCase();
  return cc !== undefined && isSupportedCountry(cc) ? cc : undefined;
}

/**
 * Why isPossible() and not isValid(): Meta and TikTok only need a well-formed E.164 string to
 * match; they do not reject "invalid" ranges. isValid() checks digit patterns that go stale as
 * numbering plans change (new mobile ranges) and would silently drop real customers' numbers,
 * while isPossible() still rejects what is certainly wrong (too short or too long for the
 * country). With /min metadata isValid() would mostly degrade to a length check anyway.
 *
 * The `(0)` trunk prefix ("+44 (0)20 …") is left to libphonenumber: it strips national prefixes
 * only for countries that have one, so Italy's significant leading 0 ("+39 06 …") survives, which
 * a blanket regex removing "(0)" would break.
 */
export function normalizePhone(raw: unknown, defaultCountry?: unknown): NormalisedPhone | undefined {
  if (typeof raw !== 'string') return undefined;
  // NFKC (a superset of NFC) also folds full-width digits and plus signs typed on CJK keyboards.
  const s = rewriteInternationalPrefix(raw.normalize('NFKC').trim());
  if (!/\d/u.test(s)) return undefined;
  const region = defaultRegion(defaultCountry);
  // Without a `+` and without a billing country we would be guessing the country code; a hash
  // of local digits never matches, so the field is better left out. The `+` may sit behind
  // punctuation or a scheme ("(+1)213…", "tel:+46…"), so look for it anywhere before the first digit.
  const international = /^\D*\+/u.test(s);
  if (!international && region === undefined) return undefined;
  const parsed = parsePhoneNumberFromString(s, region === undefined ? undefined : { defaultCountry: region });
  if (parsed === undefined || !parsed.isPossible()) return undefined;
  // E.164 caps a number at 15 digits; below 7 nothing real is left (Meta's old SDK rule).
  const digits = String(parsed.number).slice(1);
  if (!/^[1-9]\d{6,14}$/u.test(digits)) return undefined;
  return { e164: `+${digits}`, digits };
}
