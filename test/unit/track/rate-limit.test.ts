import { describe, expect, it } from 'vitest';
import { createRateLimiter, rateKey } from '../../../src/track/rate-limit.ts';

describe('createRateLimiter', () => {
  it('allows the limit per key per minute, then answers how long to wait', () => {
    const limiter = createRateLimiter(3);
    const t = 1_000_000;
    expect([1, 2, 3].map(() => limiter.take('a', t).allowed)).toEqual([true, true, true]);
    expect(limiter.take('a', t + 15_000)).toEqual({ allowed: false, retryAfterSeconds: 45 });
    expect(limiter.take('b', t + 15_000).allowed).toBe(true);
    expect(limiter.take('a', t + 60_000).allowed).toBe(true);
  });

  it('keeps at most maxKeys windows, dropping the oldest first', () => {
    const limiter = createRateLimiter(1, 2);
    limiter.take('a', 0);
    limiter.take('b', 1);
    limiter.take('c', 2);
    // 'a' was dropped to make room, so it starts a fresh window; 'c' is still counted.
    expect(limiter.take('a', 3).allowed).toBe(true);
    expect(limiter.take('c', 4).allowed).toBe(false);
  });

  it('counts an IPv4 address alone and an IPv6 address by its /64', () => {
    expect(rateKey('203.0.113.9')).toBe('203.0.113.9');
    expect(rateKey('2001:db8:1:2:aaaa::1')).toBe('2001:db8:1:2::/64');
    expect(rateKey('2001:0db8:0001:0002:ffff:1:2:3')).toBe('2001:db8:1:2::/64');
    expect(rateKey('2001:db8::42')).toBe('2001:db8:0:0::/64');
    expect(rateKey('::1')).toBe('0:0:0:0::/64');
    expect(rateKey('fe80::1:2:3:4')).toBe('fe80:0:0:0::/64');
  });
});
