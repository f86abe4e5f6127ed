import { browserContext, type BrowserContext, type PageFields } from '../http/browser-context.ts';
import { resolveConsent, type ConsentChoice, type ConsentDecision } from '../http/consent.ts';
import { checkoutMetadata, type CheckoutMetadata } from './metadata.ts';

/** What the page says besides its headers: consent, and query parameters a script read. */
export interface CheckoutPage extends PageFields {
  consent?: ConsentChoice;
}

export interface CheckoutCapture {
  consent: ConsentDecision;
  context: BrowserContext;
  metadata: CheckoutMetadata;
}

/**
 * The browser's request → consent, match keys and the session metadata. The one capture behind
 * create-checkout-session and the exported helpers for apps' own server code (index.ts).
 */
export function captureCheckout(
  req: Request,
  page: CheckoutPage,
  options: { requireAdConsent: boolean; contextIp?: string; nowMs: number },
): CheckoutCapture {
  const consent = resolveConsent(page.consent, options.requireAdConsent);
  const context = browserContext(req, page, { contextIp: options.contextIp, nowMs: options.nowMs });
  return { consent, context, metadata: checkoutMetadata(context, consent) };
}

/**
 * Session parameters with the metadata on the session and where renewals, refunds and disputes
 * read it: the payment intent (payment mode) or the subscription (subscription mode).
 */
export function placeMetadata<P extends { mode?: string; payment_intent_data?: object; subscription_data?: object }>(
  params: P,
  metadata: CheckoutMetadata,
): P & { metadata: CheckoutMetadata } {
  const placed = { ...params, metadata: { ...(params as { metadata?: CheckoutMetadata }).metadata, ...metadata } };
  if (params.mode === 'payment') return { ...placed, payment_intent_data: { ...params.payment_intent_data, metadata: placed.metadata } };
  if (params.mode === 'subscription') return { ...placed, subscription_data: { ...params.subscription_data, metadata: placed.metadata } };
  return placed;
}
