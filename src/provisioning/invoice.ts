import type Stripe from 'stripe';
import { destinations } from '../destinations/registry.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type { ConversionItem } from '../conversions/types.ts';
import { minorToMajor } from '../stripe/money.ts';
import { idOf } from '../stripe/ids.ts';
import type { DerivedConversion, InvoiceRecord } from './command.ts';

export const INVOICE_EVENTS = ['invoice.paid', 'invoice.payment_failed'] as const;

/**
 * Since API version basil an invoice names its subscription under `parent`; lines still carry it,
 * and older endpoint versions had it at the top level.
 */
export function invoiceSubscriptionId(invoice: Stripe.Invoice): string | null {
  const fromParent = idOf(invoice.parent?.subscription_details?.subscription);
  if (fromParent) return fromParent;
  for (const line of invoice.lines?.data ?? []) {
    const fromLine = idOf(line.parent?.subscription_item_details?.subscription ?? null);
    if (fromLine) return fromLine;
  }
  return idOf((invoice as { subscription?: string | { id: string } | null }).subscription);
}

export function invoiceRecord(invoice: Stripe.Invoice): InvoiceRecord {
  const lineEnds = (invoice.lines?.data ?? []).map((line) => line.period?.end).filter((t): t is number => typeof t === 'number');
  return {
    id: invoice.id,
    subscription_id: invoiceSubscriptionId(invoice),
    customer_id: idOf(invoice.customer),
    billing_reason: invoice.billing_reason,
    status: invoice.status,
    amount_paid: invoice.amount_paid,
    amount_due: invoice.amount_due,
    currency: invoice.currency,
    // The period the invoice pays for ends with its lines', not with the invoice's own period_end.
    period_end: lineEnds.length > 0 ? Math.max(...lineEnds) : null,
    attempt_count: invoice.attempt_count,
    payment_intent_id: null,
    livemode: invoice.livemode,
  };
}

/** The first paid invoice of a subscription pays for its checkout. */
export function paysForCheckout(invoice: Stripe.Invoice): boolean {
  return invoice.billing_reason === 'subscription_create' && invoice.amount_paid > 0;
}

/**
 * A paid renewal invoice: after a trial it is the trial's conversion to paid (Subscribe), otherwise
 * a renewal (Purchase, only when the shop opts in). The SQL side decides which applies from what it
 * has stored; these carry the invoice's own values, with the invoice id as event_id (no pixel twin).
 */
export function derivedConversions(
  invoice: Stripe.Invoice,
  eventCreated: number,
  names: EventNameSettings,
  sendRenewals: boolean,
): DerivedConversion[] {
  if (invoice.billing_reason !== 'subscription_cycle' || invoice.amount_paid <= 0) return [];
  const currency = invoice.currency.toUpperCase();
  const patch = {
    eventId: invoice.id,
    orderId: invoice.id,
    eventTime: eventCreated,
    value: minorToMajor(invoice.amount_paid, currency),
    currency,
    actionSource: 'system_generated' as const,
    items: (invoice.lines?.data ?? []).map((line) => lineItem(line, currency)),
  };
  const kinds: DerivedConversion['kind'][] = sendRenewals ? ['subscribe', 'renewal'] : ['subscribe'];
  return kinds.map((kind) => ({
    kind,
    event_id: invoice.id,
    event_names: Object.fromEntries(
      destinations.flatMap((d) => {
        const name = d.eventName(kind, names);
        return name ? [[d.name, name]] : [];
      }),
    ),
    patch: { ...patch, kind },
  }));
}

function lineItem(line: Stripe.InvoiceLineItem, currency: string): ConversionItem {
  const quantity = line.quantity ?? 1;
  const product = idOf(line.pricing?.price_details?.product ?? null);
  return {
    id: product ?? line.id,
    ...(line.description && { name: line.description }),
    quantity,
    price: minorToMajor(Math.round(line.amount / Math.max(quantity, 1)), currency),
  };
}
