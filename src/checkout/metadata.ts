import type { BrowserContext } from '../http/browser-context.ts';
import type { ConsentDecision } from '../http/consent.ts';

/**
 * The Checkout Session metadata the webhook reads back (keys pinned in design.md §6), from the
 * browser's request and the consent decision. Pure: the function and apps' own server code (see
 * index.ts) write exactly the same keys and values.
 */
export type CheckoutMetadata = Record<string, string>;

/** Stripe's metadata limits: 50 keys, 40-character keys, 500-character values. */
export const METADATA_LIMITS = { keys: 50, keyLength: 40, valueLength: 500 } as const;

export function checkoutMetadata(context: BrowserContext, consent: ConsentDecision): CheckoutMetadata {
  const metadata: Record<string, string | undefined> = consent.identifiers
    ? {
        fbc: whole(context.fbc),
        fbp: whole(context.fbp),
        fbclid: whole(context.fbclid),
        ttclid: whole(context.ttclid),
        ttp: whole(context.ttp),
        client_ip_address: context.ipAddress,
        client_user_agent: context.userAgent,
        event_source_url: context.eventSourceUrl,
      }
    : {};
  if (consent.adConsent) metadata.ad_consent = consent.adConsent;
  return fitMetadata(metadata);
}

/**
 * Within Stripe's limits whatever comes in, so a long user agent or URL never fails the checkout:
 * long values are cut (a user agent's start is what matches), over-long keys and blank values are
 * left out, and keys beyond the 50th are dropped.
 */
export function fitMetadata(input: Readonly<Record<string, string | undefined>>): CheckoutMetadata {
  const out: CheckoutMetadata = {};
  let count = 0;
  for (const [key, value] of Object.entries(input)) {
    if (value === undefined || value.trim() === '' || key.length > METADATA_LIMITS.keyLength || key === '') continue;
    if (count >= METADATA_LIMITS.keys) break;
    out[key] = truncate(value, METADATA_LIMITS.valueLength);
    count += 1;
  }
  return out;
}

/** At most `max` UTF-16 units, never ending in half a surrogate pair (an emoji cut in two). */
export function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.charCodeAt(max - 1);
  const end = cut >= 0xd800 && cut <= 0xdbff ? max - 1 : max;
  return value.slice(0, end);
}

/** A click id or cookie cut short is a different id: longer than Stripe keeps, it is left out. */
function whole(value: string | undefined): string | undefined {
  return value !== undefined && value.length <= METADATA_LIMITS.valueLength ? value : undefined;
}
