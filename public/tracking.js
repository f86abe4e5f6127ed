/**
 * The browser half of the funnel's tracking. No dependencies; an ES module:
 *
 *   import { configure, track, checkout, purchase } from '/tracking.js';
 *
 * Every event fires the Meta and TikTok pixels (when they are on the page) with one event id and
 * posts the same event, with the same id, to the `track` function, so each platform keeps one copy.
 * Purchases are never posted: Stripe's webhook sends them, and `purchase()` only fires the pixels.
 */

/** Meta name → TikTok name; test/unit/track/names.test.ts checks it equals the server's table. */
export const TIKTOK_NAMES = {
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

const options = {
  /** Where the functions are served. */
  base: '/.netlify/functions',
  /** 'granted' | 'denied' | undefined (the server's REQUIRE_AD_CONSENT then decides). */
  consent: undefined,
  /** The TikTok purchase name the server sends: TIKTOK_PURCHASE_EVENT. */
  tiktokPurchaseEvent: 'CompletePayment',
};

export function configure(settings) {
  Object.assign(options, settings);
}

export function eventId() {
  const c = globalThis.crypto;
  if (c && c.randomUUID) return c.randomUUID();
  // Older browsers and plain-http pages (randomUUID needs a secure context).
  const bytes = c && c.getRandomValues ? c.getRandomValues(new Uint8Array(16)) : Array.from({ length: 16 }, () => (Math.random() * 256) | 0);
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Fires both pixels with one id; TikTok's properties are spelled its own way. */
function firePixels(name, tiktokName, data, id, consent) {
  if (consent === 'denied') return;
  const w = globalThis;
  if (typeof w.fbq === 'function') w.fbq('track', name, data, { eventID: id });
  if (w.ttq && typeof w.ttq.track === 'function') w.ttq.track(tiktokName, tiktokProperties(data), { event_id: id });
}

function tiktokProperties(data) {
  const { contents, content_ids, search_string, ...rest } = data;
  const list = contents
    ? contents.map((c) => ({ content_id: c.id, quantity: c.quantity, price: c.item_price }))
    : content_ids && content_ids.map((id) => ({ content_id: id }));
  return { ...rest, ...(list && { contents: list }), ...(search_string && { query: search_string }) };
}

/**
 * Reports a funnel event: `track('Lead', { value: 10, currency: 'EUR' }, { user: { email } })`.
 * Answers the event id, which the pixels and the server copy share.
 */
export function track(name, data = {}, extra = {}) {
  const id = extra.eventId || eventId();
  const consent = extra.consent || options.consent;
  firePixels(name, TIKTOK_NAMES[name] || name, data, id, consent);
  const event = { event_name: name, event_id: id, event_source_url: location.href, custom_data: data };
  if (extra.user) event.user_data = extra.user;
  if (consent) event.consent = consent;
  // fetch with keepalive outlives a page change like sendBeacon does, but may send JSON with its
  // content type and lets the caller see the answer (sendBeacon's JSON Blob is preflighted anyway).
  fetch(`${options.base}/track`, {
    method: 'POST',
    keepalive: true,
    credentials: 'include',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(event),
  }).catch(() => {});
  return id;
}

/**
 * Creates a Checkout Session for a price (or `[{price, quantity}]`), fires InitiateCheckout with its
 * id (the server queued the same), and goes to Stripe. `opts`: quantity, accessToken (Supabase),
 * data (pixel data), redirect (false to stay).
 */
export async function checkout(price, opts = {}) {
  const consent = opts.consent || options.consent;
  const query = new URLSearchParams(location.search);
  const body = typeof price === 'string' ? { price, quantity: opts.quantity || 1 } : { items: price };
  if (consent) body.consent = consent;
  body.event_source_url = location.href;
  for (const key of ['fbclid', 'ttclid']) if (query.get(key)) body[key] = query.get(key);
  const headers = { 'content-type': 'application/json' };
  if (opts.accessToken) headers.authorization = `Bearer ${opts.accessToken}`;
  const response = await fetch(`${options.base}/create-checkout-session`, {
    method: 'POST',
    credentials: 'include',
    headers,
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(answer.error || `checkout failed (${response.status})`);
  firePixels('InitiateCheckout', 'InitiateCheckout', opts.data || {}, answer.id, consent);
  if (opts.redirect !== false) location.assign(answer.url);
  return answer;
}

/**
 * On the success page: fires the pixels' copies of what the server sends for this session, with
 * the session id from `?session_id=`. `kind`: 'payment' (default), 'subscription' or 'trial'.
 */
export function purchase(data = {}, opts = {}) {
  const id = new URLSearchParams(location.search).get('session_id');
  if (!id) return null;
  const consent = opts.consent || options.consent;
  const kind = opts.kind || 'payment';
  if (kind === 'trial') {
    firePixels('StartTrial', 'StartTrial', { ...data, value: 0 }, id, consent);
    return id;
  }
  firePixels('Purchase', options.tiktokPurchaseEvent, data, id, consent);
  if (kind === 'subscription') firePixels('Subscribe', 'Subscribe', data, id, consent);
  return id;
}
