import type Stripe from 'stripe';
import { placeMetadata } from './capture.ts';
import type { VerifiedUser } from './jwt.ts';
import type { CheckoutMetadata } from './metadata.ts';
import type { PriceInfo } from './prices.ts';
import type { CheckoutRequest } from './request.ts';

/**
 * The decision, pure: which prices a request may buy, in which mode, and the exact parameters of
 * the Checkout Session. Errors are values the edge answers with 400.
 */
export type Decision<T> = { ok: true; value: T } | { ok: false; error: string };

/** Checked before anything is read from Stripe: a price outside CHECKOUT_PRICES is refused by name. */
export function checkAllowed(request: CheckoutRequest, allowed: readonly string[]): Decision<string[]> {
  const refused = request.items.find((item) => !allowed.includes(item.price));
  if (refused) return { ok: false, error: `price ${refused.price} is not for sale here` };
  return { ok: true, value: request.items.map((item) => item.price) };
}

export interface SessionInput {
  request: CheckoutRequest;
  /** The request's prices, in its order. */
  prices: readonly PriceInfo[];
  user?: VerifiedUser;
  /** The Stripe Customer the database knows for this user, in this mode. */
  customerId?: string;
  metadata: CheckoutMetadata;
  successUrl: string;
  cancelUrl: string;
}

export interface SessionPlan {
  mode: 'payment' | 'subscription';
  currency: string;
  params: Stripe.Checkout.SessionCreateParams;
}

export function planSession(input: SessionInput): Decision<SessionPlan> {
  const { prices, request, user, customerId, metadata } = input;
  const inactive = prices.find((p) => !p.active);
  if (inactive) return { ok: false, error: `price ${inactive.id} is not available` };
  const recurring = prices.filter((p) => p.recurring).length;
  if (recurring > 0 && recurring < prices.length) {
    return { ok: false, error: 'one-time and recurring prices cannot be bought in one checkout' };
  }
  const currencies = new Set(prices.map((p) => p.currency));
  const [currency] = currencies;
  if (currency === undefined || currencies.size > 1) return { ok: false, error: 'the prices are in different currencies' };
  const mode = recurring > 0 ? 'subscription' : 'payment';

  // Who pays is never the caller's choice: the verified user, their known customer, or a guest.
  const buyer: Partial<Stripe.Checkout.SessionCreateParams> = customerId
    ? { customer: customerId }
    : {
        ...(user?.email && { customer_email: user.email }),
        // A signed-in buyer gets a Customer even for a one-time payment, so the next checkout reuses it.
        ...(user && mode === 'payment' && { customer_creation: 'always' as const }),
      };
  const params = placeMetadata<Stripe.Checkout.SessionCreateParams>(
    {
      mode,
      line_items: request.items.map((item) => ({ price: item.price, quantity: item.quantity })),
      success_url: input.successUrl,
      cancel_url: input.cancelUrl,
      ...(user && { client_reference_id: user.id }),
      ...buyer,
    },
    metadata,
  );
  return { ok: true, value: { mode, currency, params } };
}
