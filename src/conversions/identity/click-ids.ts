/**
 * Network identifiers that both platforms require raw: fbc, fbp, ttclid, ttp, IP, user agent.
 *
 * Meta: "ClickID value is case sensitive — do not apply any modifications". So nothing here hashes,
 * lower-cases, URL-decodes or truncates; the only edit ever made is trimming surrounding whitespace.
 */

/** Trim; blank or non-string → undefined. Never changes case or content. */
export function cleanRawId(s: unknown): string | undefined {
  if (typeof s !== 'string') return undefined;
  const t = s.trim();
  return t === '' ? undefined : t;
}

/**
 * A cookie worth sending verbatim: `fb.<subdomain index>.<ms>.<payload>`. The payload may itself
 * contain dots (Meta's parameter builder appends a 5th "appendix" segment), so we check the prefix
 * only and never require exactly four segments; that check is what cost other SDKs match quality.
 * Rejecting plain garbage matters because Meta answers a malformed fbc with error 2804001, which
 * fails the whole event.
 */
const FBC_COOKIE = /^fb\.\d+\.\d+\.\S+$/u;

/** Meta builds fbclids from this alphabet; anything else is a mangled or injected URL value. */
const FBCLID = /^[A-Za-z0-9_-]+$/u;

/** Below this a Unix timestamp must be seconds: 1e12 ms is Sept 2001, 1e12 s is 33,000 years away. */
const MS_THRESHOLD = 1e12;

/**
 * Metadata round-trips through Stripe as strings, so "1795420800" must work as well as a number.
 * Seconds are scaled to milliseconds because Meta's creationTime is defined in milliseconds.
 */
function toMillis(t: unknown): number | undefined {
  const n = typeof t === 'string' && /^\d+$/u.test(t.trim()) ? Number(t.trim()) : t;
  if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) return undefined;
  const ms = Math.trunc(n < MS_THRESHOLD ? n * 1000 : n);
  return Number.isSafeInteger(ms) ? ms : undefined;
}

export interface FbcInput {
  /** `_fbc` cookie captured at checkout creation, verbatim. */
  fbc?: string | null;
  /** `fbclid` query parameter from the landing URL, verbatim. */
  fbclid?: string | null;
  /** When the fbclid was first seen; ms preferred, seconds accepted. */
  firstSeenMs?: number | string | null;
}

/**
 * The cookie wins because it carries the original click time and Meta's own formatting. Otherwise
 * `fb.1.<first seen ms>.<fbclid>`: subdomain index 1 is what Meta prescribes for server-built
 * values. This function reads no clock: without a first-seen time there is no honest creationTime,
 * so the caller must supply one (e.g. the Checkout Session's `created`) or accept no fbc.
 */
export function buildFbc(input: FbcInput): string | undefined {
  const cookie = cleanRawId(input.fbc);
  if (cookie !== undefined && FBC_COOKIE.test(cookie)) return cookie;
  const fbclid = cleanRawId(input.fbclid);
  if (fbclid === undefined || !FBCLID.test(fbclid)) return undefined;
  const ms = toMillis(input.firstSeenMs);
  return ms === undefined ? undefined : `fb.1.${ms}.${fbclid}`;
}
