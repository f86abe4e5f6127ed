/**
 * CORS for the functions a shop's pages call from the browser. Netlify adds no CORS headers to
 * functions, so each answer carries its own. Only listed origins (and the site's own address) may
 * call; a request without `Origin` comes from a server, not a browser, and is allowed. So does a
 * page on the host the request was sent to (same origin: a deploy preview, a branch deploy, the
 * site's other domain, `npm start`), which no other site can make a browser send.
 */

export interface CorsPolicy {
  /** Origins (`scheme://host[:port]`, lower case) allowed to call. */
  readonly origins: ReadonlySet<string>;
}

/** Browsers cache a successful preflight this long (seconds); Chromium caps it at two hours. */
const PREFLIGHT_MAX_AGE = '7200';

/** `ALLOWED_ORIGINS` entries and Netlify's `URL`; entries that are not URLs are left out. */
export function corsPolicy(allowedOrigins: readonly string[], siteUrl?: string): CorsPolicy {
  const origins = new Set<string>();
  for (const entry of [...allowedOrigins, ...(siteUrl ? [siteUrl] : [])]) {
    const origin = originOf(entry);
    if (origin) origins.add(origin);
  }
  return { origins };
}

export function originOf(url: string): string | undefined {
  try {
    const { origin } = new URL(url.trim());
    return origin === 'null' ? undefined : origin.toLowerCase();
  } catch {
    return undefined;
  }
}

export type CorsOutcome =
  /** Answer this now: a preflight (204) or a refused origin (403). */
  | { kind: 'answer'; response: Response }
  /** Go on; add these headers to whatever is answered. */
  | { kind: 'continue'; headers: Record<string, string> };

export function checkCors(req: Request, policy: CorsPolicy, methods: readonly string[] = ['POST']): CorsOutcome {
  const origin = req.headers.get('origin');
  const vary = { Vary: 'Origin' };
  if (origin === null) {
    if (req.method === 'OPTIONS') return { kind: 'answer', response: new Response(null, { status: 204, headers: vary }) };
    return { kind: 'continue', headers: vary };
  }
  const allowed = policy.origins.has(origin.toLowerCase()) || origin.toLowerCase() === originOf(req.url);
  if (!allowed) {
    return { kind: 'answer', response: Response.json({ error: 'origin not allowed' }, { status: 403, headers: vary }) };
  }
  const headers = { ...vary, 'Access-Control-Allow-Origin': origin, 'Access-Control-Allow-Credentials': 'true' };
  if (req.method === 'OPTIONS') {
    return {
      kind: 'answer',
      response: new Response(null, {
        status: 204,
        headers: {
          ...headers,
          'Access-Control-Allow-Methods': [...methods, 'OPTIONS'].join(', '),
          'Access-Control-Allow-Headers': 'authorization, content-type',
          'Access-Control-Max-Age': PREFLIGHT_MAX_AGE,
        },
      }),
    };
  }
  return { kind: 'continue', headers };
}

/** The same response with the CORS headers added. */
export function withCors(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value);
  return response;
}
