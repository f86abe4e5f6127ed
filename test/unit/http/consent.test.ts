import { describe, expect, it } from 'vitest';
import { resolveConsent } from '../../../src/http/consent.ts';

describe('resolveConsent', () => {
  it.each([
    ['granted', false, { adConsent: 'granted', identifiers: true, conversionConsent: 'granted' }],
    ['granted', true, { adConsent: 'granted', identifiers: true, conversionConsent: 'granted' }],
    [undefined, false, { identifiers: true, conversionConsent: 'unknown' }],
    [undefined, true, { adConsent: 'denied', identifiers: false, conversionConsent: 'denied' }],
    ['denied', false, { adConsent: 'denied', identifiers: false, conversionConsent: 'denied' }],
    ['denied', true, { adConsent: 'denied', identifiers: false, conversionConsent: 'denied' }],
  ] as const)('given %s, REQUIRE_AD_CONSENT=%s', (given, required, decision) => {
    expect(resolveConsent(given, required)).toEqual(decision);
  });
});
