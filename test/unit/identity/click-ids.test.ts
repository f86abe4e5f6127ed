/** H6: network identifiers are never hashed and never case-changed; fbc rules of reference §2.6. */
import { describe, it, expect } from 'vitest';
import { buildFbc, cleanRawId } from '../../../src/conversions/identity/click-ids.ts';

describe('cleanRawId', () => {
  it.each([
    ['fbp', 'fb.1.1596403881668.1116446470'],
    ['ttclid', 'E.C.P.CvQBAbCdEf-_XyZ123'],
    ['ttp', '2Xy_AbC-dEf.tt.1'],
    ['IPv4', '203.0.113.7'],
    ['IPv6', '2001:DB8::Ab:1'],
    ['user agent', 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Safari/605.1.15'],
    ['locale', 'sv-SE'],
    ['64 hex is not a hash here', 'ABCDEF'.repeat(10) + 'ABCD'],
  ])('%s is returned byte for byte', (_what, value) => {
    expect(cleanRawId(value)).toBe(value);
  });

  it('only trims surrounding whitespace', () => {
    expect(cleanRawId('  E.C.P.AbC \n')).toBe('E.C.P.AbC');
  });

  it.each([undefined, null, '', '   ', 42])('%j → undefined', (v) => {
    expect(cleanRawId(v)).toBeUndefined();
  });
});

describe('buildFbc', () => {
  it.each([
    {
      why: 'reference example: fbclid with ms, no cookie',
      input: { fbclid: 'IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk', firstSeenMs: 1554763741205 },
      expected: 'fb.1.1554763741205.IwAR2F4-dbP0l7Mn1IawQQGCINEz7PYXQvwjNwB_qa2ofrHyiLjcbCRxTDMgk',
    },
    {
      why: 'seconds are scaled to milliseconds',
      input: { fbclid: 'IwAR0xyz', firstSeenMs: 1795420800 },
      expected: 'fb.1.1795420800000.IwAR0xyz',
    },
    {
      why: 'a timestamp from Stripe metadata arrives as a string',
      input: { fbclid: 'IwAR0xyz', firstSeenMs: '1795420800' },
      expected: 'fb.1.1795420800000.IwAR0xyz',
    },
    {
      why: 'fractional ms are truncated',
      input: { fbclid: 'IwAR0xyz', firstSeenMs: 1554763741205.9 },
      expected: 'fb.1.1554763741205.IwAR0xyz',
    },
    {
      why: 'cookie with a 5th appendix segment is sent verbatim',
      input: { fbc: 'fb.1.1657051589577.IwZXh0bgNhZW0CMTAAAR-uK_5w.AQEAAQMB', fbclid: 'Other', firstSeenMs: 1 },
      expected: 'fb.1.1657051589577.IwZXh0bgNhZW0CMTAAAR-uK_5w.AQEAAQMB',
    },
    {
      why: 'cookie wins over fbclid and keeps its case',
      input: { fbc: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890', fbclid: 'abc', firstSeenMs: 1554763741205 },
      expected: 'fb.1.1554763741205.AbCdEfGhIjKlMnOpQrStUvWxYz1234567890',
    },
    {
      why: 'garbage cookie falls back to the fbclid',
      input: { fbc: 'undefined', fbclid: 'AbC', firstSeenMs: 1554763741205 },
      expected: 'fb.1.1554763741205.AbC',
    },
    { why: 'fbclid with characters outside [A-Za-z0-9_-]', input: { fbclid: 'AbC%20x', firstSeenMs: 1554763741205 }, expected: undefined },
    { why: 'fbclid with a dot', input: { fbclid: 'a.b', firstSeenMs: 1554763741205 }, expected: undefined },
    { why: 'no first-seen time: no honest creationTime', input: { fbclid: 'AbC' }, expected: undefined },
    { why: 'invalid first-seen time', input: { fbclid: 'AbC', firstSeenMs: Number.NaN }, expected: undefined },
    { why: 'negative first-seen time', input: { fbclid: 'AbC', firstSeenMs: -5 }, expected: undefined },
    { why: 'nothing at all', input: {}, expected: undefined },
    { why: 'blank values', input: { fbc: ' ', fbclid: ' ', firstSeenMs: null }, expected: undefined },
  ])('$why', ({ input, expected }) => {
    expect(buildFbc(input)).toBe(expected);
  });

  it('fbclid case is significant: AbC and abc give different fbc values', () => {
    const a = buildFbc({ fbclid: 'AbC', firstSeenMs: 1554763741205 });
    const b = buildFbc({ fbclid: 'abc', firstSeenMs: 1554763741205 });
    expect(a).toBe('fb.1.1554763741205.AbC');
    expect(b).toBe('fb.1.1554763741205.abc');
  });
});
