import { buildFbc, cleanRawId } from '../conversions/identity/click-ids.ts';
import { clientIp } from './client-ip.ts';
import { parseCookies } from './cookies.ts';

/**
 * Everything a browser's request tells about who clicked what: the pixels' cookies, the click ids,
 * the network identifiers and the page. The one capture used by checkout creation and `track`, so
 * both record the same values the same way. Values stay raw (the platforms require them raw);
 * whether they may be kept at all is consent.ts's decision.
 */
export interface BrowserContext {
  ipAddress?: string;
  userAgent?: string;
  /** `_fbc` cookie verbatim, else built from fbclid at `now` (`fb.1.<ms>.<fbclid>`). */
  fbc?: string;
  fbp?: string;
  fbclid?: string;
  ttclid?: string;
  ttp?: string;
  /** The page the request came from, whole (query included). */
  eventSourceUrl?: string;
}

/** What a page may send in its body because a script knows it better than the headers do. */
export interface PageFields {
  fbclid?: string;
  ttclid?: string;
  event_source_url?: string;
}

export interface CaptureOptions {
  /** Netlify's `context.ip` (npm start sets it from the socket). */
  contextIp?: string;
  /** Milliseconds since the epoch: the click's first-seen time when an fbc is built from fbclid. */
  nowMs: number;
}

export function browserContext(req: Request, page: PageFields, options: CaptureOptions): BrowserContext {
  const cookies = parseCookies(req.headers.get('cookie'));
  const refererHeader = cleanRawId(req.headers.get('referer'));
  const referer = httpUrl(refererHeader);
  const fromReferer = (name: string) => cleanRawId(referer?.searchParams.get(name));
  const fbclid = cleanRawId(page.fbclid) ?? fromReferer('fbclid');
  const context: BrowserContext = {
    ipAddress: clientIp(req, options.contextIp),
    userAgent: cleanRawId(req.headers.get('user-agent')),
    fbc: buildFbc({ fbc: cookies._fbc, fbclid, firstSeenMs: options.nowMs }),
    fbp: cleanRawId(cookies._fbp),
    fbclid,
    ttclid: cleanRawId(page.ttclid) ?? fromReferer('ttclid'),
    ttp: cleanRawId(cookies._ttp),
    eventSourceUrl: cleanRawId(page.event_source_url) ?? (referer && refererHeader),
  };
  return Object.fromEntries(Object.entries(context).filter(([, v]) => v !== undefined)) as BrowserContext;
}

function httpUrl(value: string | undefined): URL | undefined {
  if (!value) return undefined;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
