/**
 * The funnel's events besides the purchase: the one table that names each for Meta and for TikTok.
 * A conversion's `kind` is the platform-neutral key; each destination looks its own name up here.
 *
 * Meta: the standard events of the Meta Pixel reference. TikTok: "About supported standard events"
 * (TikTok Ads help, 2025), which renamed SubmitForm to Lead and CompletePayment to Purchase; the old
 * names are still accepted and converted. What the browser pixel fires must be the same string.
 */
export const FUNNEL_EVENTS = {
  view_content: { meta: 'ViewContent', tiktok: 'ViewContent' },
  add_to_cart: { meta: 'AddToCart', tiktok: 'AddToCart' },
  add_to_wishlist: { meta: 'AddToWishlist', tiktok: 'AddToWishlist' },
  initiate_checkout: { meta: 'InitiateCheckout', tiktok: 'InitiateCheckout' },
  add_payment_info: { meta: 'AddPaymentInfo', tiktok: 'AddPaymentInfo' },
  lead: { meta: 'Lead', tiktok: 'Lead' },
  complete_registration: { meta: 'CompleteRegistration', tiktok: 'CompleteRegistration' },
  search: { meta: 'Search', tiktok: 'Search' },
  contact: { meta: 'Contact', tiktok: 'Contact' },
} as const satisfies Record<string, { meta: string; tiktok: string }>;

export type FunnelKind = keyof typeof FUNNEL_EVENTS;

export function isFunnelKind(kind: string): kind is FunnelKind {
  return Object.hasOwn(FUNNEL_EVENTS, kind);
}
