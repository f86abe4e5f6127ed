/**
 * The in-process guard behind Netlify's own rate-limit rule: a fixed one-minute window per client
 * key. It is what holds under `npm start` and `netlify dev` (which enforce no rules), and on Netlify
 * it caps each warm instance. Memory is bounded: at most `maxKeys` windows are kept, the oldest
 * dropped first, so a flood of distinct addresses cannot grow it.
 */
export interface RateLimiter {
  /** Counts one request; `retryAfterSeconds` is set when it is over the limit. */
  take(key: string, nowMs: number): { allowed: true } | { allowed: false; retryAfterSeconds: number };
}

const WINDOW_MS = 60_000;

export function createRateLimiter(perMinute: number, maxKeys = 10_000): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key, nowMs) {
      let window = windows.get(key);
      if (!window || nowMs - window.start >= WINDOW_MS) {
        windows.delete(key);
        if (windows.size >= maxKeys) evict(windows, nowMs, maxKeys);
        window = { start: nowMs, count: 0 };
        // Re-inserted at the end: Map order is then oldest window first.
        windows.set(key, window);
      }
      window.count += 1;
      if (window.count <= perMinute) return { allowed: true };
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((window.start + WINDOW_MS - nowMs) / 1000)) };
    },
  };
}

function evict(windows: Map<string, { start: number }>, nowMs: number, maxKeys: number): void {
  for (const [key, window] of windows) {
    if (windows.size < maxKeys && nowMs - window.start < WINDOW_MS) return;
    windows.delete(key);
  }
}

/**
 * The key an address is counted under: an IPv4 address as it is, an IPv6 address by its /64, which
 * one subscriber holds whole (2^64 addresses to rotate through, each a fresh window otherwise).
 * Expects what normalizeIp (src/http/client-ip.ts) answers.
 */
export function rateKey(ip: string): string {
  if (!ip.includes(':')) return ip;
  const [head = '', tail] = ip.split('::');
  const left = head === '' ? [] : head.split(':');
  const right = tail === undefined || tail === '' ? [] : tail.split(':');
  const groups = tail === undefined ? left : [...left, ...Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0'), ...right];
  return `${groups.slice(0, 4).map((g) => Number.parseInt(g, 16).toString(16)).join(':')}::/64`;
}
