import * as z from 'zod/mini';
import {
  amount,
  anyId,
  count,
  currency,
  expandable,
  flag,
  idWith,
  metadata,
  optionalSeconds,
  optionalText,
  signedAmount,
  text,
  unixSeconds,
} from './fields.ts';

/**
 * The objects of the handled events, as far as the mapping in src/provisioning reads them. What an
 * object must hold for the event to be processable is required; everything else stays optional.
 */

const address = z.optional(
  z.nullable(
    z.looseObject({ city: optionalText, state: optionalText, postal_code: optionalText, country: optionalText, line1: optionalText, line2: optionalText }),
  ),
);

export const checkoutSession = z.looseObject({
  id: idWith('cs_'),
  mode: text,
  status: optionalText,
  payment_status: text,
  amount_total: z.optional(z.nullable(amount)),
  amount_subtotal: z.optional(z.nullable(amount)),
  currency: z.optional(z.nullable(currency)),
  created: unixSeconds,
  livemode: flag,
  customer: expandable,
  subscription: expandable,
  invoice: expandable,
  payment_intent: expandable,
  client_reference_id: optionalText,
  customer_email: optionalText,
  customer_details: z.optional(
    z.nullable(z.looseObject({ email: optionalText, name: optionalText, individual_name: optionalText, phone: optionalText, address })),
  ),
  metadata,
});

const price = z.looseObject({ id: anyId, product: expandable });

export const subscription = z.looseObject({
  id: idWith('sub_'),
  customer: expandable,
  status: text,
  items: z.looseObject({
    data: z.array(z.looseObject({ price, quantity: z.optional(z.nullable(count)), current_period_end: optionalSeconds })),
  }),
  cancel_at_period_end: flag,
  cancel_at: optionalSeconds,
  canceled_at: optionalSeconds,
  ended_at: optionalSeconds,
  trial_end: optionalSeconds,
  current_period_end: optionalSeconds,
  livemode: flag,
});

const invoiceLine = z.looseObject({
  id: anyId,
  amount: signedAmount,
  quantity: z.optional(z.nullable(count)),
  description: optionalText,
  period: z.optional(z.nullable(z.looseObject({ end: optionalSeconds }))),
  parent: z.optional(z.nullable(z.looseObject({ subscription_item_details: z.optional(z.nullable(z.looseObject({ subscription: expandable }))) }))),
  pricing: z.optional(z.nullable(z.looseObject({ price_details: z.optional(z.nullable(z.looseObject({ product: expandable }))) }))),
});

export const invoice = z.looseObject({
  id: idWith('in_'),
  customer: expandable,
  subscription: expandable,
  parent: z.optional(z.nullable(z.looseObject({ subscription_details: z.optional(z.nullable(z.looseObject({ subscription: expandable }))) }))),
  billing_reason: optionalText,
  status: optionalText,
  amount_paid: amount,
  amount_due: amount,
  currency,
  attempt_count: count,
  livemode: flag,
  lines: z.optional(z.nullable(z.looseObject({ data: z.array(invoiceLine) }))),
});

export const charge = z.looseObject({
  id: anyId,
  payment_intent: expandable,
  amount,
  amount_refunded: amount,
  currency,
  refunded: flag,
  status: text,
  refunds: z.optional(z.nullable(z.looseObject({ data: z.array(z.looseObject({ reason: optionalText })) }))),
  livemode: flag,
});

export const dispute = z.looseObject({
  id: anyId,
  charge: expandable,
  payment_intent: expandable,
  amount,
  currency,
  status: text,
  reason: optionalText,
  livemode: flag,
});
