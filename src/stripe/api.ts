import Stripe from 'stripe';

/**
 * The read-only Stripe API calls the webhook needs, behind a two-method port. Webhook payloads never
 * carry line items, so they are read here; everything else comes from the event itself.
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

/** The API version this build of the SDK speaks; events of other versions are logged. */
export const PINNED_API_VERSION: string = Stripe.API_VERSION;

/** Stripe could not be read: the webhook answers 503 and Stripe retries the event later. */
export class StripeApiError extends Error {
  override readonly name = 'StripeApiError';
  constructor(message: string, readonly status: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/** A session with more lines than this is not a checkout any shop sends; stop paging. */
const MAX_LINE_ITEMS = 1000;

export interface StripeApiOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 for a local stand-in of the Stripe API. */
  baseUrl?: string;
  timeoutMs: number;
}

export function createStripeApi({ secretKey, baseUrl, timeoutMs }: StripeApiOptions): StripeApi {
  const target = baseUrl ? new URL(baseUrl) : undefined;
  const stripe = new Stripe(secretKey, {
    timeout: timeoutMs,
    maxNetworkRetries: 1,
    appInfo: { name: 'stripe-conversions-netlify' },
    ...(target && {
      host: target.hostname,
      port: Number(target.port || (target.protocol === 'https:' ? 443 : 80)),
      protocol: target.protocol === 'https:' ? 'https' : 'http',
    }),
  });

  const guard = async <T>(what: string, call: () => Promise<T>): Promise<T> => {
    try {
      return await call();
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      throw new StripeApiError(`${what} failed${status ? ` (${status})` : ''}: ${(error as Error).message}`, status, { cause: error });
    }
  };

  return {
    listLineItems: (sessionId) =>
      guard('listing line items', async () => {
        const items: Stripe.LineItem[] = [];
        for await (const item of stripe.checkout.sessions.listLineItems(sessionId, { limit: 100 })) {
          items.push(item);
          if (items.length >= MAX_LINE_ITEMS) break;
        }
        return items;
      }),
    retrieveSubscription: (id) =>
      guard('reading the subscription', async () => {
        const subscription = await stripe.subscriptions.retrieve(id);
        const date = Date.parse(subscription.lastResponse?.headers?.date ?? '');
        return { subscription, readAt: Number.isFinite(date) ? Math.floor(date / 1000) : null };
      }),
    findCheckoutSession: (subscriptionId) =>
      guard('finding the checkout session', async () => {
        const page = await stripe.checkout.sessions.list({ subscription: subscriptionId, limit: 1 });
        return page.data[0] ?? null;
      }),
    findInvoiceId: (paymentIntentId) =>
      guard('finding the invoice', async () => {
        const page = await stripe.invoicePayments.list({
          payment: { type: 'payment_intent', payment_intent: paymentIntentId },
          limit: 1,
        });
        const invoice = page.data[0]?.invoice;
        return typeof invoice === 'string' ? invoice : (invoice?.id ?? null);
      }),
  };
}
