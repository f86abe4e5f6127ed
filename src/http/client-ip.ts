import { isIP } from 'node:net';

/**
 * The buyer's IP address, which both platforms match on. Netlify puts the client's address in
 * `x-nf-client-connection-ip` (and in `context.ip`); other proxies append to `x-forwarded-for`, whose
 * first hop is the client; `npm start` passes the socket's address as `context.ip`. A value that is
 * not an IP address is ignored rather than sent: the platforms reject malformed ones.
 */
export function clientIp(req: Request, contextIp?: string): string | undefined {
  const forwarded = req.headers.get('x-forwarded-for')?.split(',')[0];
  const candidates = [req.headers.get('x-nf-client-connection-ip'), forwarded, contextIp];
  for (const candidate of candidates) {
    const ip = normalizeIp(candidate);
    if (ip !== undefined) return ip;
  }
  return undefined;
}

/**
 * A bare IPv4 or IPv6 address from what proxies write: ports (`1.2.3.4:5678`, `[::1]:443`), brackets
 * and zone ids (`fe80::1%eth0`) are stripped, and an IPv4-mapped IPv6 address (`::ffff:1.2.3.4`)
 * becomes the IPv4 address it carries, as the platforms expect. Anything else → undefined.
 */
export function normalizeIp(raw: string | null | undefined): string | undefined {
  if (typeof raw !== 'string') return undefined;
  let ip = raw.trim().replace(/^"|"$/gu, '');
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/u.exec(ip);
  if (bracketed?.[1] !== undefined) ip = bracketed[1];
  else if (/^[\d.]+:\d+$/u.test(ip)) ip = ip.slice(0, ip.lastIndexOf(':'));
  ip = ip.replace(/%[\w.-]+$/u, '');
  const mapped = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/iu.exec(ip);
  if (mapped?.[1] !== undefined) ip = mapped[1];
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) return ip.toLowerCase();
  return undefined;
}
