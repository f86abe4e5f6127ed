/**
 * A tolerant reader of the `Cookie` request header. Browsers, proxies and other scripts on the page
 * write cookies we do not control, so a malformed pair costs only itself: it is skipped, never an
 * error. Only the first value of a repeated name is kept, as browsers send the most specific path
 * first (RFC 6265 §5.4).
 */

/** Cookie name → value; a null-prototype object so names like `__proto__` stay plain keys. */
export type Cookies = Readonly<Record<string, string>>;

/** RFC 6265 token characters: a name with anything else is not a cookie we could have set. */
const NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/u;

export function parseCookies(header: string | null | undefined): Cookies {
  const cookies: Record<string, string> = Object.create(null);
  if (!header) return cookies;
  for (const pair of header.split(';')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) continue;
    const name = pair.slice(0, eq).trim();
    if (!NAME.test(name) || Object.hasOwn(cookies, name)) continue;
    const value = decodeValue(unquote(pair.slice(eq + 1).trim()));
    if (value !== undefined) cookies[name] = value;
  }
  return cookies;
}

/** One cookie of a request, or undefined. */
export function readCookie(req: Request, name: string): string | undefined {
  const cookies = parseCookies(req.headers.get('cookie'));
  return Object.hasOwn(cookies, name) ? cookies[name] : undefined;
}

function unquote(value: string): string {
  return value.length >= 2 && value.startsWith('"') && value.endsWith('"') ? value.slice(1, -1) : value;
}

/**
 * Percent-decoding as most cookie libraries do, but a broken escape keeps the raw text instead of
 * throwing: the pixels' own cookies (`_fbc`, `_fbp`, `_ttp`) never contain `%`, so the raw text is
 * what they wrote. Control characters mean a mangled header: the pair is dropped.
 */
function decodeValue(raw: string): string | undefined {
  let value = raw;
  if (raw.includes('%')) {
    try {
      value = decodeURIComponent(raw);
    } catch {
      value = raw;
    }
  }
  // eslint-disable-next-line no-control-regex
  return /[\u0000-\u001f\u007f]/u.test(value) ? undefined : value;
}
