import type Stripe from 'stripe';
import { idOf } from '../stripe/ids.ts';
import type { SubscriptionCommand, SubscriptionItemRecord } from './command.ts';

export const SUBSCRIPTION_EVENTS = [
  'customer.subscription.created',
  'customer.subscription.updated',
  'customer.subscription.deleted',
  'customer.subscription.paused',
  'customer.subscription.resumed',
] as const;

/**
 * Pure: a subscription as Stripe sent or returned it → its state for the database. Since API
 * version basil the billing period lives on the items; the subscription's period end is the
 * latest of theirs (older versions' top-level current_period_end when the items have none). Items
 * are sorted so that equal states compare equal in SQL.
 */
export function subscriptionCommand(sub: Stripe.Subscription, asOf: number, refetched: boolean): SubscriptionCommand {
  const items: SubscriptionItemRecord[] = sub.items.data
    .map((item) => ({
      product_id: idOf(item.price.product) ?? item.price.id,
      price_id: item.price.id,
      quantity: item.quantity ?? 1,
    }))
    .sort((a, b) => a.product_id.localeCompare(b.product_id) || a.price_id.localeCompare(b.price_id));
  const periodEnds = sub.items.data.map((item) => item.current_period_end).filter((t): t is number => typeof t === 'number');
  // Endpoints on a version before basil still send the period on the subscription itself.
  const legacyPeriodEnd = (sub as { current_period_end?: number | null }).current_period_end ?? null;

  return {
    action: 'subscription',
    as_of: asOf,
    refetched,
    subscription: {
      id: sub.id,
      customer_id: idOf(sub.customer),
      status: sub.status,
      items,
      cancel_at_period_end: sub.cancel_at_period_end,
      cancel_at: sub.cancel_at,
      canceled_at: sub.canceled_at,
      ended_at: sub.ended_at,
      trial_end: sub.trial_end,
      current_period_end: periodEnds.length > 0 ? Math.max(...periodEnds) : legacyPeriodEnd,
      livemode: sub.livemode,
    },
  };
}
