import { describe, expect, it } from 'vitest';
import { clientIp, normalizeIp } from '../../../src/http/client-ip.ts';

const request = (headers: Record<string, string>) => new Request('http://localhost/', { headers });

describe('clientIp', () => {
  it("prefers Netlify's client header over x-forwarded-for and the socket", () => {
    const req = request({ 'x-nf-client-connection-ip': '203.0.113.7', 'x-forwarded-for': '198.51.100.1' });
    expect(clientIp(req, '127.0.0.1')).toBe('203.0.113.7');
  });

  it('takes the first of several x-forwarded-for hops (the client), whitespace and ports tolerated', () => {
    expect(clientIp(request({ 'x-forwarded-for': ' 198.51.100.23:5512 , 10.0.0.1, 172.16.0.9' }))).toBe('198.51.100.23');
  });

  it('falls back to the socket address (npm start), and to nothing', () => {
    expect(clientIp(request({}), '::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(clientIp(request({}))).toBeUndefined();
  });

  it('skips a header that is not an address', () => {
    const req = request({ 'x-nf-client-connection-ip': 'unknown', 'x-forwarded-for': 'evil, 1.2.3.4' });
    expect(clientIp(req, '2001:db8::5')).toBe('2001:db8::5');
  });

  it('reads IPv6 in every form proxies write it', () => {
    expect(clientIp(request({ 'x-forwarded-for': '[2001:DB8::1]:443, 10.0.0.1' }))).toBe('2001:db8::1');
    expect(clientIp(request({ 'x-nf-client-connection-ip': '2a02:1810:4f2e:b500:79a1:c0de:1:2' }))).toBe('2a02:1810:4f2e:b500:79a1:c0de:1:2');
  });
});

describe('normalizeIp', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['192.0.2.1:8080', '192.0.2.1'],
    ['[::1]', '::1'],
    ['[fe80::1%eth0]:80', 'fe80::1'],
    ['fe80::1%25en0', 'fe80::1'],
    ['::FFFF:192.0.2.9', '192.0.2.9'],
    ['"192.0.2.4"', '192.0.2.4'],
  ])('%s → %s', (raw, ip) => {
    expect(normalizeIp(raw)).toBe(ip);
  });

  it.each(['', ' ', '999.1.1.1', '1.2.3', 'localhost', '::gg', '1.2.3.4.5', 'unknown', '[1.2.3.4'])('%j → undefined', (raw) => {
    expect(normalizeIp(raw)).toBeUndefined();
  });
});
