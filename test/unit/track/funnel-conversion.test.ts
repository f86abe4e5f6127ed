import { describe, expect, it } from 'vitest';
import type { Conversion } from '../../../src/conversions/types.ts';
import { meta } from '../../../src/destinations/meta/index.ts';
import { tiktok } from '../../../src/destinations/tiktok/index.ts';
import { conversionFromEvent, type TrackContext } from '../../../src/track/conversion.ts';

const context: TrackContext = {
  browser: { ipAddress: '203.0.113.9', userAgent: 'UA/1', fbp: 'fb.1.1.2', eventSourceUrl: 'https://shop.example/from-referer' },
  requireAdConsent: false,
  now: 1_795_424_400,
  livemode: true,
  origin: 'browser',
};

describe('a funnel event as a conversion', () => {
  it('carries no value or currency when none was given, and neither destination refuses it', () => {
    const lead = conversionFromEvent({ event_name: 'Lead', event_id: 'l-1' }, context);
    expect(lead).toEqual({
      kind: 'lead', eventId: 'l-1', eventTime: 1_795_424_400, livemode: true, actionSource: 'website', items: [], user: {},
      client: { ipAddress: '203.0.113.9', userAgent: 'UA/1', fbp: 'fb.1.1.2' },
      page: { url: 'https://shop.example/from-referer' }, consent: 'unknown',
    });
    expect(meta.rejectReason!(lead)).toBeUndefined();
    expect(tiktok.rejectReason!(lead)).toBeUndefined();
    const currencyOnly = conversionFromEvent({ event_name: 'AddToCart', event_id: 'a-1', custom_data: { currency: 'eur' } }, context);
    expect([meta.rejectReason!(currencyOnly), tiktok.rejectReason!(currencyOnly)]).toEqual([undefined, undefined]);
    const subscribe = conversionFromEvent({ event_name: 'Subscribe', event_id: 's-1' }, context);
    expect([meta.rejectReason!(subscribe), tiktok.rejectReason!(subscribe)]).toEqual([undefined, undefined]);
  });

  it('a purchase still needs both: the up-front checks are unchanged for revenue', () => {
    const { value: _v, currency: _c, ...rest } = { ...conversionFromEvent({ event_name: 'Lead', event_id: 'x' }, context), value: 1, currency: 'USD' };
    const purchase: Conversion = { ...rest, kind: 'purchase' };
    expect(meta.rejectReason!(purchase)).toBe('currency undefined is not an ISO 4217 code');
    expect(tiktok.rejectReason!(purchase)).toBe('currency undefined is not supported by TikTok');
  });

  it('an event’s own consent wins; REQUIRE_AD_CONSENT turns silence into denied', () => {
    const strict = { ...context, requireAdConsent: true };
    expect(conversionFromEvent({ event_name: 'Lead', event_id: 'c', consent: 'granted' }, strict).consent).toBe('granted');
    expect(conversionFromEvent({ event_name: 'Lead', event_id: 'c' }, strict).consent).toBe('denied');
    expect(conversionFromEvent({ event_name: 'Lead', event_id: 'c', consent: 'denied' }, { ...context, consent: 'granted' }).consent).toBe('denied');
  });

  it('TikTok refuses a currency outside its list even on a funnel event', () => {
    const atc = conversionFromEvent({ event_name: 'AddToCart', event_id: 'a', custom_data: { value: 5, currency: 'xof' } }, context);
    expect(atc.currency).toBe('XOF');
    expect(tiktok.rejectReason!(atc)).toBe('currency XOF is not supported by TikTok');
    expect(meta.rejectReason!(atc)).toBeUndefined();
  });
});
