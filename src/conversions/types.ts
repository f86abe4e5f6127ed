/**
 * The platform-neutral conversion: what the webhook writes to the outbox and what every destination
 * turns into its own request. It never holds raw email, phone, name or address: only SHA-256 hashes
 * (see src/conversions/identity). Network identifiers (IP, user agent, click ids, cookies) stay raw
 * because both platforms require them unhashed.
 */

import type { FunnelKind } from './funnel-events.ts';

/**
 * What happened, independent of any platform's event names: the purchase kinds the webhook makes,
 * and the funnel's other events (funnel-events.ts), which `track` and checkout creation queue.
 */
export type ConversionKind = 'purchase' | 'subscribe' | 'start_trial' | 'renewal' | FunnelKind;

export interface ConversionItem {
  /** Stripe product id (or price id when the product is unknown). */
  id: string;
  name?: string;
  quantity: number;
  /** Unit price as a decimal in the currency's major unit; a funnel event may not know it. */
  price?: number;
}

/**
 * Hashed customer identifiers: lowercase hex SHA-256 of the normalised value. Phones are hashed twice
 * because the platforms disagree: Meta wants digits with country code, TikTok E.164 with the `+`.
 */
export interface HashedUser {
  email?: string;
  phoneDigits?: string;
  phoneE164?: string;
  firstName?: string;
  lastName?: string;
  city?: string;
  state?: string;
  postalCode?: string;
  country?: string;
  externalId?: string;
}

/** Raw customer data as Stripe gives it. Only ever lives in memory, on the way to hashUser(). */
export interface RawCustomer {
  email?: string | null;
  phone?: string | null;
  name?: string | null;
  /** Given apart (a form's fields), they win over `name`, which is split only when they are absent. */
  firstName?: string | null;
  lastName?: string | null;
  city?: string | null;
  state?: string | null;
  postalCode?: string | null;
  /** ISO 3166-1 alpha-2 of the billing address; also the default region for national phone numbers. */
  country?: string | null;
  externalId?: string | null;
}

/** Browser-side identifiers captured at Checkout Session creation (metadata keys of design.md §6). */
export interface ClientContext {
  ipAddress?: string;
  userAgent?: string;
  /** Meta click cookie, verbatim, or built from fbclid. */
  fbc?: string;
  fbp?: string;
  ttclid?: string;
  ttp?: string;
  locale?: string;
}

export type AdConsent = 'granted' | 'denied' | 'unknown';

export interface Conversion {
  kind: ConversionKind;
  /** Shared with the browser pixel for deduplication: the Checkout Session id (invoice id for renewals). */
  eventId: string;
  /** Unix seconds: the Stripe event's `created`. */
  eventTime: number;
  livemode: boolean;
  actionSource: 'website' | 'system_generated';
  /** Decimal in the major unit (4900 USD minor units → 49). Funnel events may carry none. */
  value?: number;
  /** ISO 4217, upper case. Set whenever `value` is; funnel events may carry neither. */
  currency?: string;
  /** Purchases only: funnel events have no order. */
  orderId?: string;
  items: ConversionItem[];
  /** Meta `content_type` / TikTok `content_type`; `product` when absent. */
  contentType?: 'product' | 'product_group';
  /** What a Search event searched for (Meta `search_string`, TikTok `query`). */
  search?: string;
  user: HashedUser;
  client: ClientContext;
  page: { url?: string; referrer?: string };
  consent: AdConsent;
  /**
   * The platform's event name as the outbox row stored it, set at send time: a setting changed
   * while the row waited must not change the name the pixel was deduplicated against.
   */
  eventName?: string;
}
