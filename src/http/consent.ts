/**
 * What a request may record about the person, from the consent the page sends and the shop's
 * `REQUIRE_AD_CONSENT` setting. The one rule for checkout creation and `track` alike.
 *
 *   given      REQUIRE_AD_CONSENT   ad_consent written   identifiers and page URL
 *   granted    either               granted              yes
 *   (none)     false                (left out)           yes
 *   (none)     true                 denied               no
 *   denied     either               denied               no
 */

export type ConsentChoice = 'granted' | 'denied';

export interface ConsentDecision {
  /** The `ad_consent` value to record; undefined = the page said nothing and nothing was required. */
  adConsent?: ConsentChoice;
  /** Whether identifiers (IP, user agent, cookies, click ids, user id) and `event_source_url` may be kept. */
  identifiers: boolean;
  /** The platform-neutral consent a Conversion carries. */
  conversionConsent: 'granted' | 'denied' | 'unknown';
}

export function resolveConsent(given: ConsentChoice | undefined, requireAdConsent: boolean): ConsentDecision {
  if (given === 'granted') return { adConsent: 'granted', identifiers: true, conversionConsent: 'granted' };
  if (given === 'denied' || requireAdConsent) return { adConsent: 'denied', identifiers: false, conversionConsent: 'denied' };
  return { identifiers: true, conversionConsent: 'unknown' };
}
