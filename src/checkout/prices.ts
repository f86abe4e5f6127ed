import type Stripe from 'stripe';
import type { CheckoutStripe, StripeFailure } from './stripe-client.ts';

/** What checkout creation needs to know of a price: its mode, money and product. */
export interface PriceInfo {
  id: string;
  active: boolean;
  recurring: boolean;
  currency: string;
  /** Minor units; null for prices without a fixed amount (customer chooses, tiers). */
  unitAmount: number | null;
  product: string;
}

export type PriceLookup = (ids: readonly string[]) => Promise<{ ok: true; prices: PriceInfo[] } | { ok: false; failure: StripeFailure }>;

/**
 * Prices read from Stripe once per function instance: they change rarely, and a Checkout Session
 * with a changed price still shows Stripe's current one, so a stale type is the only risk, and a
 * new instance (every deploy) reads them again. A failed read is not cached.
 */
export function cachedPrices(stripe: CheckoutStripe): PriceLookup {
  const cache = new Map<string, Promise<PriceInfo | StripeFailure>>();
  const read = (id: string) => {
    let entry = cache.get(id);
    if (!entry) {
      entry = stripe.retrievePrice(id).then((r) => {
        if (r.ok) return priceInfo(r.value);
        cache.delete(id);
        return r.failure;
      });
      cache.set(id, entry);
    }
    return entry;
  };
  return async (ids) => {
    const results = await Promise.all(ids.map(read));
    const failure = results.find((r): r is StripeFailure => !('id' in r));
    if (failure) return { ok: false, failure };
    return { ok: true, prices: results as PriceInfo[] };
  };
}

function priceInfo(price: Stripe.Price): PriceInfo {
  return {
    id: price.id,
    active: price.active,
    recurring: price.type === 'recurring',
    currency: price.currency,
    unitAmount: price.unit_amount,
    product: typeof price.product === 'string' ? price.product : price.product.id,
  };
}
