import type { ConversionKind } from '../conversions/types.ts';
import { tiktok } from '../destinations/tiktok/index.ts';

/**
 * The events `track` accepts, by their Meta standard name, and the conversion kind each becomes.
 * TikTok's name for each comes from the TikTok destination (src/conversions/funnel-events.ts for the
 * funnel), so the browser module, the outbox rows and the README all read one table.
 */
export const TRACKABLE_EVENTS = {
  ViewContent: 'view_content',
  AddToCart: 'add_to_cart',
  AddToWishlist: 'add_to_wishlist',
  InitiateCheckout: 'initiate_checkout',
  AddPaymentInfo: 'add_payment_info',
  Lead: 'lead',
  CompleteRegistration: 'complete_registration',
  Search: 'search',
  Contact: 'contact',
  Subscribe: 'subscribe',
  StartTrial: 'start_trial',
} as const satisfies Record<string, ConversionKind>;

export type TrackableName = keyof typeof TRACKABLE_EVENTS;

/** Revenue is the server's: Stripe's webhook sends it. A browser that names it is refused. */
export const SERVER_ONLY_EVENTS: readonly string[] = ['Purchase', 'CompletePayment', 'PlaceAnOrder'];

export function isTrackableName(name: string): name is TrackableName {
  return Object.hasOwn(TRACKABLE_EVENTS, name);
}

/** TikTok's standard name for a trackable Meta name (the same string the TikTok pixel must fire). */
export function tiktokNameOf(name: TrackableName): string {
  // The purchase setting is irrelevant here: no trackable kind is a purchase.
  return tiktok.eventName(TRACKABLE_EVENTS[name], { tiktokPurchaseEvent: 'Purchase' }) ?? name;
}

/** Meta name → TikTok name, for every trackable event (the browser module carries a copy). */
export function nameTable(): Record<TrackableName, string> {
  return Object.fromEntries(
    (Object.keys(TRACKABLE_EVENTS) as TrackableName[]).map((name) => [name, tiktokNameOf(name)]),
  ) as Record<TrackableName, string>;
}
