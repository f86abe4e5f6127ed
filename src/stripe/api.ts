import type Stripe from 'stripe';
import { stripeGetter, type StripeGetOptions } from './http.ts';

export { PINNED_API_VERSION, StripeApiError } from './http.ts';

/**
 * The read-only Stripe API calls the webhook needs, behind a small port. Webhook payloads never
 * carry line items, so they are read here; everything else comes from the event itself.
 *
 * Plain fetch rather than the Stripe SDK: four GETs do not need its ~240 KB in the webhook bundle,
 * and the SDK's types (`import type`) still describe every object, at no cost.
 */
export interface StripeApi {
  listLineItems(sessionId: string): Promise<Stripe.LineItem[]>;
  /**
   * The subscription as Stripe has it now, and when that was by Stripe's clock (its Date header):
   * the time the state is stored as, so this machine's clock skew cannot make it look stale.
   */
  retrieveSubscription(id: string): Promise<{ subscription: Stripe.Subscription; readAt: number | null }>;
  /** The Checkout Session that created a subscription, if it was created by Checkout. */
  findCheckoutSession(subscriptionId: string): Promise<Stripe.Checkout.Session | null>;
  /** The invoice a payment intent paid (refunds and disputes of subscription payments). */
  findInvoiceId(paymentIntentId: string): Promise<string | null>;
}

/** A session with more lines than this is not a checkout any shop sends; stop paging. */
const MAX_LINE_ITEMS = 1000;
const PAGE_SIZE = 100;

export type StripeApiOptions = StripeGetOptions;

export function createStripeApi(options: StripeApiOptions): StripeApi {
  const get = stripeGetter(options);
  const id = (value: string) => encodeURIComponent(value);

  return {
    async listLineItems(sessionId) {
      const items: Stripe.LineItem[] = [];
      let after: string | undefined;
      do {
        const query = { limit: String(PAGE_SIZE), ...(after && { starting_after: after }) };
        const { body } = await get<Stripe.ApiList<Stripe.LineItem>>('listing line items', `/v1/checkout/sessions/${id(sessionId)}/line_items`, query);
        items.push(...body.data);
        after = body.has_more ? body.data.at(-1)?.id : undefined;
      } while (after && items.length < MAX_LINE_ITEMS);
      return items.slice(0, MAX_LINE_ITEMS);
    },
    async retrieveSubscription(subscriptionId) {
      const { body, date } = await get<Stripe.Subscription>('reading the subscription', `/v1/subscriptions/${id(subscriptionId)}`);
      return { subscription: body, readAt: date };
    },
    async findCheckoutSession(subscriptionId) {
      const { body } = await get<Stripe.ApiList<Stripe.Checkout.Session>>('finding the checkout session', '/v1/checkout/sessions', {
        subscription: subscriptionId,
        limit: '1',
      });
      return body.data[0] ?? null;
    },
    async findInvoiceId(paymentIntentId) {
      const { body } = await get<Stripe.ApiList<Stripe.InvoicePayment>>('finding the invoice', '/v1/invoice_payments', {
        'payment[type]': 'payment_intent',
        'payment[payment_intent]': paymentIntentId,
        limit: '1',
      });
      const invoice = body.data[0]?.invoice;
      return typeof invoice === 'string' ? invoice : (invoice?.id ?? null);
    },
  };
}
