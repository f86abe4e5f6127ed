/**
 * Text typed by a buyer (names, addresses, metadata) reaches us inside Stripe's events and may hold
 * what Postgres cannot store: NUL (no text or jsonb value may contain it) and lone UTF-16 surrogates
 * (jsonb refuses their escapes). Cleaned once, here, over the parsed event, so every later step —
 * mapping, hashing, the stored payload — sees the same well-formed text.
 */

/**
 * Stripe's objects nest about a dozen levels, with expansions a few more. Far deeper means the event
 * was not shaped by Stripe, and would overflow JSON.stringify (at ~5,000 levels on Node) before any
 * database saw it; the bound also keeps this walk's own recursion shallow.
 */
export const MAX_DEPTH = 64;

export type Sanitized = { ok: true; value: unknown } | { ok: false; reason: string };

class TooDeep extends Error {}

/**
 * Pure: the parsed JSON with every string and key cleaned, or why it cannot be. Nothing is copied
 * where nothing changes (an ordinary event comes back as itself); the input is never modified.
 */
export function sanitizeJson(value: unknown): Sanitized {
  try {
    return { ok: true, value: clean(value, 0) };
  } catch (error) {
    if (error instanceof TooDeep) return { ok: false, reason: `nested deeper than ${MAX_DEPTH} levels` };
    throw error;
  }
}

/** NUL removed; a surrogate without its pair becomes U+FFFD, as a UTF-8 decoder would show it. */
export function cleanText(text: string): string {
  return SUSPECT.test(text) ? text.replace(NUL, '').replace(LONE_SURROGATE, '\uFFFD') : text;
}

/** One scan for the common case: no NUL and no surrogate at all (emoji pairs take the slow path). */
const SUSPECT = /[\u0000\uD800-\uDFFF]/;
const NUL = /\u0000/g;
// Without the u flag a regular expression sees UTF-16 code units, so it can find unpaired halves.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function clean(value: unknown, depth: number): unknown {
  if (typeof value === 'string') return cleanText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) throw new TooDeep();
  return Array.isArray(value) ? cleanArray(value, depth) : cleanObject(value as Record<string, unknown>, depth);
}

function cleanArray(array: readonly unknown[], depth: number): readonly unknown[] {
  let copy: unknown[] | undefined;
  array.forEach((item, i) => {
    const cleaned = clean(item, depth + 1);
    if (cleaned !== item) (copy ??= [...array])[i] = cleaned;
  });
  return copy ?? array;
}

function cleanObject(object: Record<string, unknown>, depth: number): Record<string, unknown> {
  const entries = Object.entries(object);
  let changed = false;
  const cleaned = entries.map(([key, item]): [string, unknown] => {
    const entry: [string, unknown] = [cleanText(key), clean(item, depth + 1)];
    changed ||= entry[0] !== key || entry[1] !== item;
    return entry;
  });
  // fromEntries defines own properties: a "__proto__" key stays data, as JSON.parse made it.
  return changed ? Object.fromEntries(cleaned) : object;
}

/**
 * The same cleaning for what the webhook reads from Stripe's API (a session holds the buyer's typed
 * details too). Stripe's API never nests that deep, so a refusal here is an error, not bad input.
 */
export function cleanedApiObject<T>(value: T): T {
  const result = sanitizeJson(value);
  if (!result.ok) throw new Error(`a Stripe API object is ${result.reason}`);
  return result.value as T;
}
