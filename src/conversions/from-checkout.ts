import type Stripe from 'stripe';
import { minorToMajor } from '../stripe/money.ts';
import { hashUser } from './identity/hash-user.ts';
import { buildFbc, cleanRawId } from './identity/click-ids.ts';
import type { AdConsent, ClientContext, Conversion, ConversionItem, ConversionKind } from './types.ts';

/**
 * A Checkout Session (plus its line items) → the platform-neutral conversion. Pure: hashing happens
 * here, once, so raw personal data never travels further than this function.
 */
export function conversionFromCheckout(
  kind: ConversionKind,
  session: Stripe.Checkout.Session,
  lineItems: readonly Stripe.LineItem[] | null,
  eventCreated: number,
): Conversion | null {
  const currency = (session.currency ?? lineItems?.[0]?.currency)?.toUpperCase();
  if (!currency) return null;
  const details = session.customer_details;
  const address = details?.address;
  const metadata = session.metadata ?? {};

  return {
    kind,
    eventId: session.id,
    eventTime: eventCreated,
    livemode: session.livemode,
    actionSource: 'website',
    value: kind === 'start_trial' ? 0 : minorToMajor(session.amount_total ?? 0, currency),
    currency,
    orderId: session.id,
    items: (lineItems ?? []).map((item) => lineItemToConversionItem(item, currency)),
    user: hashUser({
      email: details?.email ?? session.customer_email,
      phone: details?.phone,
      name: details?.name ?? details?.individual_name,
      city: address?.city,
      state: address?.state,
      postalCode: address?.postal_code,
      country: address?.country,
      externalId: session.client_reference_id,
    }),
    client: clientContext(metadata, session.created),
    page: compact({ url: cleanRawId(metadata.event_source_url) }),
    consent: adConsent(metadata.ad_consent),
  };
}

function lineItemToConversionItem(item: Stripe.LineItem, currency: string): ConversionItem {
  const price = item.price;
  const product = typeof price?.product === 'string' ? price.product : price?.product?.id;
  const quantity = item.quantity ?? 1;
  const unitMinor = price?.unit_amount ?? Math.round(item.amount_total / Math.max(quantity, 1));
  return compact({
    id: product ?? price?.id ?? item.id,
    name: item.description ?? undefined,
    quantity,
    price: minorToMajor(unitMinor, currency),
  }) as ConversionItem;
}

/**
 * The webhook carries no browser data; the shop captured it in the session metadata when it created
 * the session (keys pinned in the README). fbclid alone becomes an fbc stamped with the session's
 * creation time, the closest known time to the click.
 */
function clientContext(metadata: Stripe.Metadata, sessionCreated: number): ClientContext {
  return compact({
    ipAddress: cleanRawId(metadata.client_ip_address),
    userAgent: cleanRawId(metadata.client_user_agent),
    fbc: buildFbc({ fbc: metadata.fbc, fbclid: metadata.fbclid, firstSeenMs: sessionCreated * 1000 }),
    fbp: cleanRawId(metadata.fbp),
    ttclid: cleanRawId(metadata.ttclid),
    ttp: cleanRawId(metadata.ttp),
  });
}

function adConsent(value: string | undefined): AdConsent {
  const v = value?.trim().toLowerCase();
  return v === 'granted' || v === 'denied' ? v : 'unknown';
}

function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
