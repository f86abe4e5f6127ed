import type { Conversion, ConversionKind } from '../conversions/types.ts';

/**
 * What the webhook asks the database to do for one Stripe event: the argument of the SQL function
 * stripe_record_event (supabase/migrations). Field names are the SQL side's, hence snake_case.
 */
export type ProvisionCommand = IgnoreCommand | CheckoutCommand | SubscriptionCommand | InvoiceCommand | ChargeCommand;

export interface IgnoreCommand {
  action: 'ignore';
  detail: string;
}

export type PurchaseStatus = 'pending' | 'paid' | 'free' | 'failed' | 'expired';

export interface CustomerRecord {
  customer_key: string;
  stripe_customer_id: string | null;
  user_id: string | null;
  email: string | null;
  name: string | null;
  phone: string | null;
  livemode: boolean;
}

export interface PurchaseRecord {
  checkout_session_id: string;
  mode: 'payment' | 'subscription';
  status: PurchaseStatus;
  payment_status: string;
  amount_total: number | null;
  currency: string | null;
  subscription_id: string | null;
  invoice_id: string | null;
  payment_intent_id: string | null;
  livemode: boolean;
  line_items: LineItemRecord[] | null;
}

export interface LineItemRecord {
  price_id: string | null;
  product_id: string | null;
  description: string | null;
  quantity: number;
  amount_total: number;
  currency: string;
}

export interface EntitlementGrant {
  source_type: 'purchase' | 'subscription';
  source_id: string;
  product_id: string;
  price_id: string | null;
  quantity: number | null;
  status: 'active' | 'trialing';
  reason: string;
}

export interface OutboxConversion {
  destination: string;
  event_name: string;
  event_id: string;
  kind: ConversionKind;
  subscription_id: string | null;
  livemode: boolean;
  /** Unix seconds. */
  event_time: number;
  /** null when nothing may be sent (no consent): no identifiers are kept then. */
  payload: Conversion | null;
  status: 'pending' | 'skipped';
  last_error?: string;
}

export interface CheckoutCommand {
  action: 'checkout';
  detail?: string;
  purchase: PurchaseRecord;
  customer: CustomerRecord | null;
  entitlements: EntitlementGrant[];
  conversions: OutboxConversion[];
}

/** What stripe_record_event answers. */
export interface RecordResult {
  /** `refetch`: the event does not say which state is newer; re-read the object and call again. */
  outcome: 'processed' | 'duplicate' | 'ignored' | 'refetch';
  purchase_status?: PurchaseStatus;
  detail?: string;
  /** Outbox rows that are due now: the webhook hands them to the fast path. */
  deliver?: number[];
}

export interface SubscriptionItemRecord {
  product_id: string;
  price_id: string;
  quantity: number;
}

export interface SubscriptionCommand {
  action: 'subscription';
  detail?: string;
  /** Unix seconds the state is from: the event's `created`, or the time it was re-read. */
  as_of: number;
  refetched: boolean;
  subscription: {
    id: string;
    customer_id: string | null;
    status: string;
    items: SubscriptionItemRecord[];
    cancel_at_period_end: boolean;
    cancel_at: number | null;
    canceled_at: number | null;
    ended_at: number | null;
    trial_end: number | null;
    current_period_end: number | null;
    livemode: boolean;
  };
}

export interface InvoiceRecord {
  id: string;
  subscription_id: string | null;
  customer_id: string | null;
  billing_reason: string | null;
  status: string | null;
  amount_paid: number;
  amount_due: number;
  currency: string;
  period_end: number | null;
  attempt_count: number;
  payment_intent_id: string | null;
  livemode: boolean;
}

/** A conversion the SQL side derives from one already stored for the subscription. */
export interface DerivedConversion {
  kind: 'subscribe' | 'renewal';
  event_id: string;
  /** Event name per destination name. */
  event_names: Record<string, string>;
  /** Fields of the stored conversion that this one replaces. */
  patch: Partial<Conversion>;
}

export interface InvoiceCommand {
  action: 'invoice';
  detail?: string;
  paid: boolean;
  invoice: InvoiceRecord;
  /** The subscription's checkout, provisioned as paid by its first invoice. */
  checkout: CheckoutCommand | null;
  derived: DerivedConversion[];
}

export interface ChargeCommand {
  action: 'charge';
  detail?: string;
  revoke: boolean;
  adjustment: {
    id: string;
    kind: 'refund' | 'dispute';
    charge_id: string | null;
    payment_intent_id: string | null;
    invoice_id: string | null;
    amount: number;
    amount_refunded: number | null;
    currency: string;
    full_refund: boolean;
    status: string;
    reason: string | null;
    livemode: boolean;
  };
}
