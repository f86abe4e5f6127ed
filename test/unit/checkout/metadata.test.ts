import { describe, expect, it } from 'vitest';
import { checkoutMetadata, fitMetadata, METADATA_LIMITS, truncate } from '../../../src/checkout/metadata.ts';
import { resolveConsent } from '../../../src/http/consent.ts';

const context = {
  ipAddress: '203.0.113.1',
  userAgent: 'UA/1.0',
  fbc: 'fb.1.1795000000000.click',
  fbp: 'fb.1.1795000000000.42',
  fbclid: 'click',
  ttclid: 'tt-click',
  ttp: 'ttp-1',
  eventSourceUrl: 'https://shop.example/p?q=1',
};

describe('checkoutMetadata', () => {
  it('granted: every pinned key, ad_consent granted', () => {
    expect(checkoutMetadata(context, resolveConsent('granted', false))).toEqual({
      fbc: context.fbc,
      fbp: context.fbp,
      fbclid: 'click',
      ttclid: 'tt-click',
      ttp: 'ttp-1',
      client_ip_address: '203.0.113.1',
      client_user_agent: 'UA/1.0',
      event_source_url: 'https://shop.example/p?q=1',
      ad_consent: 'granted',
    });
  });

  it('none given, not required: everything but ad_consent', () => {
    const metadata = checkoutMetadata(context, resolveConsent(undefined, false));
    expect(metadata).not.toHaveProperty('ad_consent');
    expect(Object.keys(metadata)).toHaveLength(8);
  });

  it('denied, or none given while required: ad_consent=denied and nothing else', () => {
    expect(checkoutMetadata(context, resolveConsent('denied', false))).toEqual({ ad_consent: 'denied' });
    expect(checkoutMetadata(context, resolveConsent(undefined, true))).toEqual({ ad_consent: 'denied' });
  });

  it('a click id or cookie longer than 500 is left out, not cut into another id', () => {
    const metadata = checkoutMetadata({ ...context, fbp: 'f'.repeat(501), ttclid: 't'.repeat(500) }, resolveConsent('granted', false));
    expect(metadata).not.toHaveProperty('fbp');
    expect(metadata.ttclid).toHaveLength(500);
  });
});

describe('Stripe metadata limits', () => {
  it('keeps at most 50 keys, drops keys over 40 characters and blank values, cuts values at 500', () => {
    const input: Record<string, string | undefined> = { ['k'.repeat(41)]: 'too long a key', blank: '  ', none: undefined };
    for (let i = 0; i < 60; i++) input[`key_${i}`] = 'v'.repeat(i === 0 ? 900 : 3);
    const out = fitMetadata(input);
    expect(Object.keys(out)).toHaveLength(METADATA_LIMITS.keys);
    expect(out).not.toHaveProperty('k'.repeat(41));
    expect(out).not.toHaveProperty('blank');
    expect(out.key_0).toHaveLength(500);
    expect(out).toHaveProperty('key_49');
    expect(out).not.toHaveProperty('key_50');
    expect(fitMetadata({ ['k'.repeat(40)]: 'ok' })).toEqual({ ['k'.repeat(40)]: 'ok' });
  });

  it('never splits a surrogate pair', () => {
    expect(truncate(`${'a'.repeat(499)}😀`, 500)).toBe('a'.repeat(499));
    expect(truncate(`${'a'.repeat(498)}😀b`, 500)).toBe(`${'a'.repeat(498)}😀`);
    expect(truncate('short', 500)).toBe('short');
    for (let n = 1; n < 12; n++) {
      const cut = truncate('😀'.repeat(8), n);
      expect(cut.length).toBeLessThanOrEqual(n);
      expect(cut).toBe('😀'.repeat(Math.floor(n / 2)));
    }
  });
});
