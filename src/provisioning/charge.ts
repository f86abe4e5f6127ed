import type Stripe from 'stripe';
import { idOf } from '../stripe/ids.ts';
import type { ChargeCommand } from './command.ts';

export const CHARGE_EVENTS = ['charge.refunded', 'charge.dispute.created', 'charge.dispute.closed'] as const;

export interface RevocationPolicy {
  revokeOnFullRefund: boolean;
  revokeOnDispute: boolean;
}

/** Pure: a refunded charge → one refund record per charge (its refunded total grows). */
export function refundCommand(charge: Stripe.Charge, invoiceId: string | null, policy: RevocationPolicy): ChargeCommand {
  return {
    action: 'charge',
    revoke: policy.revokeOnFullRefund,
    adjustment: {
      id: charge.id,
      kind: 'refund',
      charge_id: charge.id,
      payment_intent_id: idOf(charge.payment_intent),
      invoice_id: invoiceId,
      amount: charge.amount,
      amount_refunded: charge.amount_refunded,
      currency: charge.currency,
      full_refund: charge.refunded,
      status: charge.status,
      reason: charge.refunds?.data[0]?.reason ?? null,
      livemode: charge.livemode,
    },
  };
}

/**
 * Pure: a dispute → its record. A new one (some arrive already lost) may revoke access; a closed one
 * that the merchant won gives it back.
 */
export function disputeCommand(dispute: Stripe.Dispute, invoiceId: string | null, policy: RevocationPolicy): ChargeCommand {
  return {
    action: 'charge',
    revoke: policy.revokeOnDispute,
    adjustment: {
      id: dispute.id,
      kind: 'dispute',
      charge_id: idOf(dispute.charge),
      payment_intent_id: idOf(dispute.payment_intent),
      invoice_id: invoiceId,
      amount: dispute.amount,
      amount_refunded: null,
      currency: dispute.currency,
      full_refund: false,
      status: dispute.status,
      reason: dispute.reason,
      livemode: dispute.livemode,
    },
  };
}
