import type Stripe from 'stripe';
import { conversionFromCheckout } from '../conversions/from-checkout.ts';
import { outboxRows } from '../conversions/outbox-rows.ts';
import { idOf } from '../stripe/ids.ts';
import type { ConversionKind } from '../conversions/types.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type {
  CheckoutCommand,
  CustomerRecord,
  EntitlementGrant,
  IgnoreCommand,
  LineItemRecord,
  PurchaseStatus,
} from './command.ts';

export const CHECKOUT_EVENTS = [
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
] as const;
export type CheckoutEventType = (typeof CHECKOUT_EVENTS)[number];

/** Only these need the line items: they may grant access and carry a conversion. */
export function needsLineItems(type: CheckoutEventType, session: Stripe.Checkout.Session): boolean {
  return session.mode !== 'setup' && (type === 'checkout.session.completed' || type === 'checkout.session.async_payment_succeeded');
}

/** Pure: a checkout event and its line items → what the database transaction must do. */
export function checkoutCommand(
  event: { id: string; type: CheckoutEventType; created: number },
  session: Stripe.Checkout.Session,
  lineItems: readonly Stripe.LineItem[] | null,
  names: EventNameSettings,
  /**
   * Whether a subscription checkout that needed no payment started a trial (rather than, say, a
   * 100 %-off coupon). Unknown without the Stripe API; a trial is by far the common case.
   */
  trial = true,
): CheckoutCommand | IgnoreCommand {
  const mode: string = session.mode;
  if (mode !== 'payment' && mode !== 'subscription') {
    return { action: 'ignore', detail: `${mode}-mode session: nothing to provision` };
  }
  const status = purchaseStatus(event.type, session);
  const subscriptionId = idOf(session.subscription);
  const customer = customerRecord(session);

  const conversions = conversionKinds(mode, status, trial).flatMap((kind) => {
    const conversion = conversionFromCheckout(kind, session, lineItems, event.created);
    return conversion ? outboxRows(conversion, subscriptionId, names) : [];
  });

  return {
    action: 'checkout',
    purchase: {
      checkout_session_id: session.id,
      mode,
      status,
      payment_status: session.payment_status,
      amount_total: session.amount_total,
      currency: session.currency,
      subscription_id: subscriptionId,
      invoice_id: idOf(session.invoice),
      payment_intent_id: idOf(session.payment_intent),
      livemode: session.livemode,
      line_items: lineItems ? lineItems.map(lineItemRecord) : null,
    },
    customer,
    entitlements: status === 'paid' || status === 'free' ? grants(session, lineItems, status, trial) : [],
    conversions,
  };
}

function purchaseStatus(type: CheckoutEventType, session: Stripe.Checkout.Session): PurchaseStatus {
  switch (type) {
    case 'checkout.session.async_payment_succeeded':
      return 'paid';
    case 'checkout.session.async_payment_failed':
      return 'failed';
    case 'checkout.session.expired':
      return 'expired';
    case 'checkout.session.completed':
      if (session.payment_status === 'paid') return 'paid';
      if (session.payment_status === 'no_payment_required') return 'free';
      return 'pending';
  }
}

/**
 * Conversions exist for purchases that are or will be paid; pending ones are held in the outbox
 * until the money arrives. A free checkout (100 % coupon) sends nothing: no revenue. A free
 * subscription checkout that starts a trial sends StartTrial.
 */
function conversionKinds(mode: 'payment' | 'subscription', status: PurchaseStatus, trial: boolean): ConversionKind[] {
  if (status === 'failed' || status === 'expired') return [];
  if (status === 'free') return mode === 'subscription' && trial ? ['start_trial'] : [];
  return mode === 'payment' ? ['purchase'] : ['purchase', 'subscribe'];
}

function grants(
  session: Stripe.Checkout.Session,
  lineItems: readonly Stripe.LineItem[] | null,
  status: 'paid' | 'free',
  trial: boolean,
): EntitlementGrant[] {
  const subscriptionId = idOf(session.subscription);
  const bySubscription = session.mode === 'subscription' && subscriptionId !== null;
  const base = {
    source_type: bySubscription ? ('subscription' as const) : ('purchase' as const),
    source_id: bySubscription ? subscriptionId : session.id,
    status: bySubscription && status === 'free' && trial ? ('trialing' as const) : ('active' as const),
    reason: `checkout ${session.id} ${status === 'paid' ? 'paid' : 'completed without payment'}`,
  };
  // Without line items (no STRIPE_SECRET_KEY) access is granted to the purchase as a whole.
  if (!lineItems || lineItems.length === 0) return [{ ...base, product_id: '*', price_id: null, quantity: null }];
  return lineItems.map((item) => ({
    ...base,
    product_id: idOf(item.price?.product ?? null) ?? item.price?.id ?? item.id,
    price_id: item.price?.id ?? null,
    quantity: item.quantity ?? null,
  }));
}

/**
 * Guests (no Stripe Customer) are one customer per session: keying them by the email they typed
 * would let anyone attach themselves to someone else's purchases.
 */
function customerRecord(session: Stripe.Checkout.Session): CustomerRecord | null {
  const stripeCustomerId = idOf(session.customer);
  if (!stripeCustomerId && session.status !== 'complete') return null;
  return {
    customer_key: stripeCustomerId ?? `session:${session.id}`,
    stripe_customer_id: stripeCustomerId,
    user_id: session.client_reference_id,
    email: session.customer_details?.email ?? session.customer_email ?? null,
    name: session.customer_details?.name ?? null,
    phone: session.customer_details?.phone ?? null,
    livemode: session.livemode,
  };
}

function lineItemRecord(item: Stripe.LineItem): LineItemRecord {
  return {
    price_id: item.price?.id ?? null,
    product_id: idOf(item.price?.product ?? null),
    description: item.description ?? null,
    quantity: item.quantity ?? 1,
    amount_total: item.amount_total,
    currency: item.currency,
  };
}
