import { describe, expect, it } from 'vitest';
import { FUNNEL_EVENTS } from '../../../src/conversions/funnel-events.ts';
import { meta } from '../../../src/destinations/meta/index.ts';
import { tiktok } from '../../../src/destinations/tiktok/index.ts';
import { nameTable, TRACKABLE_EVENTS, type TrackableName } from '../../../src/track/event-names.ts';
import { TIKTOK_NAMES } from '../../../public/tracking.js';

/** The table in the README: Meta's standard name → TikTok's (ads.tiktok.com supported-standard-events, Sept 2025). */
const EXPECTED: Record<TrackableName, string> = {
  ViewContent: 'ViewContent',
  AddToCart: 'AddToCart',
  AddToWishlist: 'AddToWishlist',
  InitiateCheckout: 'InitiateCheckout',
  AddPaymentInfo: 'AddPaymentInfo',
  Lead: 'Lead',
  CompleteRegistration: 'CompleteRegistration',
  Search: 'Search',
  Contact: 'Contact',
  Subscribe: 'Subscribe',
  StartTrial: 'StartTrial',
};
const names = { tiktokPurchaseEvent: 'CompletePayment' };

describe('Meta ↔ TikTok names of trackable events', () => {
  it('Meta → TikTok: each accepted name maps to TikTok’s current standard name', () => {
    expect(nameTable()).toEqual(EXPECTED);
  });

  it('TikTok → Meta: each TikTok name comes back to exactly one Meta name, through the same kind', () => {
    for (const [metaName, tiktokName] of Object.entries(EXPECTED)) {
      const kinds = Object.values(TRACKABLE_EVENTS).filter((kind) => tiktok.eventName(kind, names) === tiktokName);
      expect(kinds).toHaveLength(1);
      expect(meta.eventName(kinds[0]!, names)).toBe(metaName);
    }
  });

  it('each Meta name is the kind’s own Meta name, so a track row and a webhook row of a kind agree', () => {
    for (const [metaName, kind] of Object.entries(TRACKABLE_EVENTS)) expect(meta.eventName(kind, names)).toBe(metaName);
  });

  it('covers every funnel kind of the shared table', () => {
    const kinds = new Set<string>(Object.values(TRACKABLE_EVENTS));
    for (const kind of Object.keys(FUNNEL_EVENTS)) expect(kinds.has(kind)).toBe(true);
  });

  it('the browser module carries an identical copy', () => {
    expect(TIKTOK_NAMES).toEqual(nameTable());
  });
});
