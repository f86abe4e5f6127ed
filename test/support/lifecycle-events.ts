/**
 * Builders for the subscription lifecycle events the fixtures do not cover, in the shapes of API
 * version 2026-10-28.endive: the billing period lives on the subscription items, an invoice names its
 * subscription under parent.subscription_details, and charges no longer embed their refunds.
 *
 * The objects are the fixtures' own (the EUR subscription Lena bought through Checkout, the USD trial
 * Sam started), and their times follow the fixtures': the EUR subscription starts at T0, its checkout
 * events arrive seconds later, renewals a month later.
 */
import type Stripe from 'stripe';
import { fixtureStripeState, prices } from './fake-stripe.ts';
import { loadEvent, newEventId, withChanges, type Wire } from './stripe-sign.ts';

const eurCheckout = loadEvent('checkout.session.completed.subscription.eur.paid');
const eurFirstInvoice = loadEvent('invoice.paid.subscription_create.eur');
const usdTrialCheckout = loadEvent('checkout.session.completed.subscription.usd.trialing');
const usdTrialCreated = loadEvent('customer.subscription.created.trialing.usd');

export const EUR = {
  session: eurCheckout.data.object.id,
  subscription: eurCheckout.data.object.subscription as string,
  customer: eurCheckout.data.object.customer as string,
  userId: eurCheckout.data.object.client_reference_id as string,
  email: eurCheckout.data.object.customer_details!.email!,
  firstInvoice: eurFirstInvoice.data.object.id,
  product: prices.proEur.product as string,
  price: prices.proEur.id,
  /** The first paid period (from the first invoice's line). */
  period1: eurFirstInvoice.data.object.lines.data[0]!.period,
} as const;

export const USD_TRIAL = {
  session: usdTrialCheckout.data.object.id,
  subscription: usdTrialCreated.data.object.id,
  customer: usdTrialCreated.data.object.customer as string,
  userId: usdTrialCheckout.data.object.client_reference_id as string,
  product: prices.teamUsd.product as string,
  price: prices.teamUsd.id,
  trialStart: usdTrialCreated.data.object.trial_start!,
  trialEnd: usdTrialCreated.data.object.trial_end!,
} as const;

/** When the EUR subscription was created (its first period's start). */
export const T0 = EUR.period1.start;
const MONTH = 30 * 86_400;

/** Lena's checkout (fixture: created T0 + 12); `unpaid` as for a delayed method such as SEPA Debit. */
export const eurCheckoutCompleted = (paymentStatus: 'paid' | 'unpaid' = 'paid') =>
  withChanges(eurCheckout, { data: { object: { payment_status: paymentStatus } } });
export const usdTrialCheckoutCompleted = () => structuredClone(usdTrialCheckout);
/** The EUR subscription's first invoice (billing_reason subscription_create), paid (fixture: T0 + 10). */
export const eurFirstInvoicePaid = () => structuredClone(eurFirstInvoice);

// ---------------------------------------------------------------------------------------------
// Subscriptions

export interface SubscriptionState {
  status?: Stripe.Subscription.Status;
  period?: { start: number; end: number };
  price?: Wire<Stripe.Price>;
  quantity?: number;
  cancelAtPeriodEnd?: boolean;
  canceledAt?: number | null;
  endedAt?: number | null;
  trialEnd?: number | null;
  livemode?: boolean;
}

type WireSubscription = Wire<Stripe.Subscription>;

function subscriptionFrom(base: WireSubscription, s: SubscriptionState): WireSubscription {
  const [item] = base.items.data;
  if (!item) throw new Error('subscription fixture without items');
  const price = s.price ?? item.price;
  const period = s.period ?? { start: item.current_period_start, end: item.current_period_end };
  const cancelAtPeriodEnd = s.cancelAtPeriodEnd ?? false;
  const canceledAt = s.canceledAt ?? (s.status === 'canceled' || cancelAtPeriodEnd ? T0 : null);
  return {
    ...base,
    status: s.status ?? base.status,
    cancel_at_period_end: cancelAtPeriodEnd,
    cancel_at: cancelAtPeriodEnd ? period.end : null,
    canceled_at: canceledAt,
    cancellation_details: {
      comment: null,
      feedback: null,
      reason: canceledAt !== null || cancelAtPeriodEnd ? 'cancellation_requested' : null,
    },
    ended_at: s.endedAt ?? (s.status === 'canceled' ? canceledAt : null),
    trial_end: s.trialEnd !== undefined ? s.trialEnd : base.trial_end,
    livemode: s.livemode ?? base.livemode,
    items: {
      ...base.items,
      data: [
        {
          ...item,
          current_period_start: period.start,
          current_period_end: period.end,
          quantity: s.quantity ?? item.quantity,
          price,
          plan: { ...item.plan, id: price.id, amount: price.unit_amount, amount_decimal: price.unit_amount_decimal, product: price.product },
        },
      ],
    },
  } as WireSubscription;
}

/** Lena's EUR subscription as the Stripe API returns it (active, first period) with changes. */
export function eurSubscription(s: SubscriptionState = {}): WireSubscription {
  const base = fixtureStripeState().subscriptions[EUR.subscription] as WireSubscription;
  return subscriptionFrom(base, s);
}

/** Sam's USD subscription (trialing until trialEnd) with changes. */
export function usdTrialSubscription(s: SubscriptionState = {}): WireSubscription {
  return subscriptionFrom(structuredClone(usdTrialCreated.data.object) as unknown as WireSubscription, s);
}

export type SubscriptionEventType =
  | 'customer.subscription.created'
  | 'customer.subscription.updated'
  | 'customer.subscription.deleted';

/** A subscription event as Stripe sends it; `updated` carries the changed fields' old values. */
export function subscriptionEvent(
  type: SubscriptionEventType,
  subscription: WireSubscription,
  created: number,
  previousAttributes?: Record<string, unknown>,
): Stripe.Event {
  return {
    ...structuredClone(usdTrialCreated),
    id: newEventId(),
    type,
    created,
    livemode: subscription.livemode,
    data: {
      object: structuredClone(subscription),
      ...(type === 'customer.subscription.updated' && { previous_attributes: previousAttributes ?? {} }),
    },
  } as unknown as Stripe.Event;
}

// ---------------------------------------------------------------------------------------------
// Invoices

export interface InvoiceSpec {
  id: string;
  subscription: 'eur' | 'usd';
  billingReason: 'subscription_create' | 'subscription_cycle' | 'subscription_update';
  /** The period the invoice's line pays for. */
  period: { start: number; end: number };
  paid: boolean;
  attemptCount?: number;
  /** Minor units; defaults to the price's unit amount. */
  amount?: number;
}

type WireInvoice = Wire<Stripe.Invoice>;

/** An invoice of one of the fixture subscriptions, shaped like the EUR first-invoice fixture. */
export function invoice(spec: InvoiceSpec): WireInvoice {
  const base = structuredClone(eurFirstInvoice.data.object) as unknown as WireInvoice;
  const isEur = spec.subscription === 'eur';
  const price = isEur ? prices.proEur : prices.teamUsd;
  const subscription = isEur ? EUR.subscription : USD_TRIAL.subscription;
  const subscriptionItem = isEur
    ? (eurFirstInvoice.data.object.lines.data[0]!.parent!.subscription_item_details!.subscription_item as string)
    : usdTrialCreated.data.object.items.data[0]!.id;
  const amount = spec.amount ?? price.unit_amount ?? 0;
  const finalizedAt = spec.period.start + 3600;
  const [line] = base.lines.data;
  const metadata = isEur ? base.parent!.subscription_details!.metadata : usdTrialCreated.data.object.metadata;
  return {
    ...base,
    id: spec.id,
    number: `${base.number!.split('-')[0]}-${spec.id.slice(-4).toUpperCase()}`,
    billing_reason: spec.billingReason,
    currency: price.currency,
    customer: isEur ? EUR.customer : USD_TRIAL.customer,
    customer_email: isEur ? EUR.email : 'sam.rivera@example.com',
    customer_name: isEur ? base.customer_name : 'Sam Rivera',
    customer_address: isEur
      ? base.customer_address
      : { city: 'Austin', country: 'US', line1: '500 W 2nd St', line2: 'Suite 1900', postal_code: '78701', state: 'TX' },
    description: null,
    created: spec.period.start,
    effective_at: finalizedAt,
    amount_due: amount,
    amount_paid: spec.paid ? amount : 0,
    amount_remaining: spec.paid ? 0 : amount,
    subtotal: amount,
    subtotal_excluding_tax: amount,
    total: amount,
    total_excluding_tax: amount,
    attempt_count: spec.attemptCount ?? 1,
    attempted: true,
    auto_advance: !spec.paid,
    next_payment_attempt: spec.paid ? null : finalizedAt + 3 * 86_400,
    // For a renewal Stripe bills the period that just ended; the line is the period paid for.
    period_start: spec.billingReason === 'subscription_cycle' ? spec.period.start - MONTH : spec.period.start,
    period_end: spec.period.start,
    status: spec.paid ? 'paid' : 'open',
    status_transitions: {
      finalized_at: finalizedAt,
      marked_uncollectible_at: null,
      paid_at: spec.paid ? finalizedAt + 4 : null,
      voided_at: null,
    },
    hosted_invoice_url: base.hosted_invoice_url!.replace(/test_[A-Za-z0-9]+/, `test_${spec.id.slice(3)}`),
    invoice_pdf: base.invoice_pdf!.replace(/test_[A-Za-z0-9]+/, `test_${spec.id.slice(3)}`),
    webhooks_delivered_at: finalizedAt,
    parent: {
      ...base.parent!,
      subscription_details: { metadata, subscription },
    },
    lines: {
      ...base.lines,
      data: [
        {
          ...line!,
          id: `il_${spec.id.slice(3, 12)}Line${spec.id.slice(-6)}`,
          amount,
          currency: price.currency,
          description: `1 × ${isEur ? 'Pro' : 'Team'} (at ${isEur ? '€19.00' : '$29.00'} / month)`,
          invoice: spec.id,
          parent: {
            ...line!.parent!,
            subscription_item_details: {
              ...line!.parent!.subscription_item_details!,
              subscription,
              subscription_item: subscriptionItem,
            },
          },
          period: spec.period,
          pricing: {
            price_details: { price: price.id, product: price.product as string },
            type: 'price_details',
            unit_amount_decimal: String(price.unit_amount),
          },
          subscription,
          subtotal: amount,
        },
      ],
      url: `/v1/invoices/${spec.id}/lines`,
    },
  } as WireInvoice;
}

export type InvoiceEventType = 'invoice.paid' | 'invoice.payment_failed' | 'invoice.payment_succeeded';

export function invoiceEvent(type: InvoiceEventType, object: WireInvoice, created: number): Stripe.Event {
  return {
    ...structuredClone(eurFirstInvoice),
    id: newEventId(),
    type,
    created,
    livemode: object.livemode,
    data: { object: structuredClone(object) },
  } as unknown as Stripe.Event;
}

// ---------------------------------------------------------------------------------------------
// Charges: refunds and disputes

export interface ChargeSpec {
  id: string;
  paymentIntent: string;
  customer: string;
  amount: number;
  currency: string;
  amountRefunded?: number;
  created?: number;
}

const usdPaidCheckout = loadEvent('checkout.session.completed.payment.usd.paid');

/** The charge that paid the one-time USD fixture. */
export const USD_CHARGE: ChargeSpec = {
  id: 'ch_3TSI2UkaRxFx7Qa20xk8Wq1M',
  paymentIntent: usdPaidCheckout.data.object.payment_intent as string,
  customer: usdPaidCheckout.data.object.customer as string,
  amount: 4900,
  currency: 'usd',
  created: usdPaidCheckout.created - 2,
};

/** The charge that paid the EUR subscription's first invoice. */
export const EUR_CHARGE: ChargeSpec = {
  id: 'ch_3Eur1stInvRxFx7Qa21pQ9sLkT',
  paymentIntent: 'pi_3Eur1stInvRxFx7Qa21dG4hNvB',
  customer: EUR.customer,
  amount: 1900,
  currency: 'eur',
  created: T0 + 5,
};

/** A charge as in `charge.refunded` (since 2022-11-15 without an embedded `refunds` list). */
export function charge(spec: ChargeSpec): Record<string, unknown> {
  const refunded = spec.amountRefunded ?? 0;
  const created = spec.created ?? T0;
  return {
    id: spec.id,
    object: 'charge',
    amount: spec.amount,
    amount_captured: spec.amount,
    amount_refunded: refunded,
    application: null,
    application_fee: null,
    application_fee_amount: null,
    balance_transaction: `txn_${spec.id.slice(3)}`,
    billing_details: { address: null, email: null, name: null, phone: null, tax_id: null },
    calculated_statement_descriptor: 'EXAMPLE SHOP',
    captured: true,
    created,
    currency: spec.currency,
    customer: spec.customer,
    description: null,
    disputed: false,
    failure_balance_transaction: null,
    failure_code: null,
    failure_message: null,
    fraud_details: {},
    livemode: false,
    metadata: {},
    on_behalf_of: null,
    outcome: {
      advice_code: null,
      network_advice_code: null,
      network_decline_code: null,
      network_status: 'approved_by_network',
      reason: null,
      risk_level: 'normal',
      risk_score: 21,
      seller_message: 'Payment complete.',
      type: 'authorized',
    },
    paid: true,
    payment_intent: spec.paymentIntent,
    payment_method: 'pm_1CyZE6dJRxFx7Qa2oOM4LFVw',
    payment_method_details: {
      card: { brand: 'visa', country: 'DE', exp_month: 12, exp_year: 2030, funding: 'credit', last4: '4242', network: 'visa' },
      type: 'card',
    },
    receipt_email: null,
    receipt_number: null,
    receipt_url: `https://pay.stripe.com/receipts/payment/${spec.id}`,
    refunded: refunded >= spec.amount,
    review: null,
    shipping: null,
    source_transfer: null,
    statement_descriptor: null,
    statement_descriptor_suffix: null,
    status: 'succeeded',
    transfer_data: null,
    transfer_group: null,
  };
}

export function chargeRefundedEvent(object: Record<string, unknown>, created: number, previousRefunded = 0): Stripe.Event {
  return {
    ...structuredClone(eurFirstInvoice),
    id: newEventId(),
    type: 'charge.refunded',
    created,
    livemode: false,
    data: { object: structuredClone(object), previous_attributes: { amount_refunded: previousRefunded, refunded: false } },
  } as unknown as Stripe.Event;
}

export function disputeCreatedEvent(spec: ChargeSpec & { disputeId: string }, created: number): Stripe.Event {
  return {
    ...structuredClone(eurFirstInvoice),
    id: newEventId(),
    type: 'charge.dispute.created',
    created,
    livemode: false,
    data: {
      object: {
        id: spec.disputeId,
        object: 'dispute',
        amount: spec.amount,
        balance_transactions: [],
        charge: spec.id,
        created,
        currency: spec.currency,
        enhanced_eligibility_types: [],
        evidence_details: { due_by: created + 8 * 86_400, has_evidence: false, past_due: false, submission_count: 0 },
        is_charge_refundable: true,
        livemode: false,
        metadata: {},
        payment_intent: spec.paymentIntent,
        payment_method_details: { card: { brand: 'visa', case_type: 'chargeback', network_reason_code: '10.4' }, type: 'card' },
        reason: 'fraudulent',
        status: 'needs_response',
      },
    },
  } as unknown as Stripe.Event;
}

/** charge.dispute.closed: the same dispute object, with its final status. */
export function disputeClosedEvent(
  spec: ChargeSpec & { disputeId: string },
  status: 'won' | 'lost' | 'warning_closed',
  created: number,
): Stripe.Event {
  const event = disputeCreatedEvent(spec, created) as unknown as { type: string; data: { object: { status: string } } };
  event.type = 'charge.dispute.closed';
  event.data.object.status = status;
  return event as unknown as Stripe.Event;
}

/** charge.refunded for a charge refunded up to `refunded` (minor units). */
export function refundEvent(spec: ChargeSpec, refunded: number, created: number, before = 0): Stripe.Event {
  return chargeRefundedEvent(charge({ ...spec, amountRefunded: refunded }), created, before) as Stripe.Event;
}
