import type Stripe from 'stripe';
import type { EventNameSettings } from '../destinations/types.ts';
import { CHECKOUT_EVENTS, checkoutCommand, needsLineItems, type CheckoutEventType } from '../provisioning/checkout.ts';
import { CHARGE_EVENTS, disputeCommand, refundCommand, type RevocationPolicy } from '../provisioning/charge.ts';
import type { InvoiceCommand, ProvisionCommand } from '../provisioning/command.ts';
import { derivedConversions, INVOICE_EVENTS, invoiceRecord, paysForCheckout } from '../provisioning/invoice.ts';
import { SUBSCRIPTION_EVENTS, subscriptionCommand } from '../provisioning/subscription.ts';
import { StripeApiError, type StripeApi } from '../stripe/api.ts';
import { idOf } from '../stripe/ids.ts';
import { cleanedApiObject } from './sanitize.ts';

/**
 * The allow-list. Every other type is recorded as ignored and answered 200. `invoice.paid` is used
 * and `invoice.payment_succeeded` is not: both fire for the same payment.
 */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set<string>([
  ...CHECKOUT_EVENTS,
  ...SUBSCRIPTION_EVENTS,
  ...INVOICE_EVENTS,
  ...CHARGE_EVENTS,
]);

export interface CommandContext {
  stripeApi: StripeApi | null;
  names: EventNameSettings;
  sendRenewals: boolean;
  policy: RevocationPolicy;
}

/**
 * Reads what the event needs from the Stripe API (before any transaction is open) and maps it to a
 * command. A Stripe API failure propagates: the webhook answers 503 and Stripe retries.
 */
export async function commandForEvent(event: Stripe.Event, ctx: CommandContext): Promise<ProvisionCommand> {
  if (!HANDLED_EVENTS.has(event.type)) {
    return { action: 'ignore', detail: `event type ${event.type} is not handled` };
  }
  const object = event.data.object;

  if ((CHECKOUT_EVENTS as readonly string[]).includes(event.type)) {
    const type = event.type as CheckoutEventType;
    const session = object as Stripe.Checkout.Session;
    const items = await lineItems(ctx, type, session);
    return checkoutCommand({ id: event.id, type, created: event.created }, session, items, ctx.names, await startsTrial(ctx, session));
  }
  if ((SUBSCRIPTION_EVENTS as readonly string[]).includes(event.type)) {
    return subscriptionCommand(object as Stripe.Subscription, event.created, false);
  }
  if ((INVOICE_EVENTS as readonly string[]).includes(event.type)) {
    return invoiceCommand(event, object as Stripe.Invoice, ctx);
  }
  const paymentIntent = idOf((object as Stripe.Charge | Stripe.Dispute).payment_intent);
  const invoiceId = paymentIntent && ctx.stripeApi ? await invoiceForPayment(ctx.stripeApi, paymentIntent) : null;
  return event.type === 'charge.refunded'
    ? refundCommand(object as Stripe.Charge, invoiceId, ctx.policy)
    : disputeCommand(object as Stripe.Dispute, invoiceId, ctx.policy);
}

async function lineItems(ctx: CommandContext, type: CheckoutEventType, session: Stripe.Checkout.Session) {
  // Without a secret key the purchase is still provisioned, as a whole, with no per-product detail.
  return needsLineItems(type, session) && ctx.stripeApi ? cleanedApiObject(await ctx.stripeApi.listLineItems(session.id)) : null;
}

/**
 * Which invoice a charge paid, to find a subscription's refunds and disputes. A restricted key without
 * read access to invoices makes this 403: the adjustment is then recorded by payment intent alone
 * rather than answered 503 for days.
 */
async function invoiceForPayment(api: StripeApi, paymentIntent: string): Promise<string | null> {
  try {
    return await api.findInvoiceId(paymentIntent);
  } catch (error) {
    if (error instanceof StripeApiError && error.status === 403) return null;
    throw error;
  }
}

/** A subscription checkout with nothing to pay: a trial, or a free subscription (100 % coupon)? */
async function startsTrial(ctx: CommandContext, session: Stripe.Checkout.Session): Promise<boolean> {
  const subscriptionId = idOf(session.subscription);
  if (session.mode !== 'subscription' || session.payment_status !== 'no_payment_required' || !subscriptionId || !ctx.stripeApi) {
    return true;
  }
  const { subscription } = await ctx.stripeApi.retrieveSubscription(subscriptionId);
  return subscription.status === 'trialing' || subscription.trial_end !== null;
}

async function invoiceCommand(event: Stripe.Event, invoice: Stripe.Invoice, ctx: CommandContext): Promise<InvoiceCommand> {
  const paid = event.type === 'invoice.paid';
  const record = invoiceRecord(invoice);
  let checkout = null;
  // The first payment of a subscription bought through Checkout: provision and convert that checkout,
  // whichever of its events arrives first. Built from the session itself, read from the API.
  if (paid && paysForCheckout(invoice) && record.subscription_id && ctx.stripeApi) {
    const session = cleanedApiObject(await ctx.stripeApi.findCheckoutSession(record.subscription_id));
    if (session) {
      const asPaid = { ...session, payment_status: 'paid' as const };
      const items = cleanedApiObject(await ctx.stripeApi.listLineItems(session.id));
      const command = checkoutCommand({ id: event.id, type: 'checkout.session.completed', created: event.created }, asPaid, items, ctx.names);
      if (command.action === 'checkout') checkout = command;
    }
  }
  return {
    action: 'invoice',
    paid,
    invoice: record,
    checkout,
    derived: paid ? derivedConversions(invoice, event.created, ctx.names, ctx.sendRenewals) : [],
  };
}
