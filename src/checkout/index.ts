/**
 * For apps that create Checkout Sessions in their own server code: the same capture and metadata as
 * create-checkout-session, so the webhook reads identical keys whichever path made the session.
 *
 *   const metadata = checkoutSessionMetadata(request, { consent: body.consent });
 *   const session = await stripe.checkout.sessions.create(withCheckoutMetadata({ mode: 'payment', … }, metadata));
 */
import type Stripe from 'stripe';
import { captureCheckout, placeMetadata, type CheckoutPage } from './capture.ts';
import type { CheckoutMetadata } from './metadata.ts';

export type { CheckoutMetadata } from './metadata.ts';
export type { CheckoutPage } from './capture.ts';

export interface MetadataOptions {
  /** As REQUIRE_AD_CONSENT: without `consent: 'granted'` nothing but `ad_consent=denied` is written. */
  requireAdConsent?: boolean;
  /** The socket's address, when no proxy header carries the client's (Netlify's `context.ip`). */
  clientIp?: string;
}

/** The Checkout Session metadata for the browser request that asks for a checkout. */
export function checkoutSessionMetadata(req: Request, page: CheckoutPage = {}, options: MetadataOptions = {}): CheckoutMetadata {
  return captureCheckout(req, page, {
    requireAdConsent: options.requireAdConsent ?? false,
    contextIp: options.clientIp,
    nowMs: Date.now(),
  }).metadata;
}

/** `params` with the metadata on the session and on its payment intent or subscription. */
export function withCheckoutMetadata(
  params: Stripe.Checkout.SessionCreateParams,
  metadata: CheckoutMetadata,
): Stripe.Checkout.SessionCreateParams {
  return placeMetadata(params, metadata);
}
