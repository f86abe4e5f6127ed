import type { Conversion, ConversionKind } from '../conversions/types.ts';

/**
 * What the webhook asks the database to do for one Stripe event: the argument of the SQL function
 * stripe_record_event (supabase/migrations). Field names are the SQL side's, hence snake_case.
 */
export type ProvisionCommand = IgnoreCommand | CheckoutCommand;

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
  outcome: 'processed' | 'duplicate' | 'ignored';
  purchase_status?: PurchaseStatus;
  detail?: string;
  /** Outbox rows that are due now: the webhook hands them to the fast path. */
  deliver?: number[];
}
