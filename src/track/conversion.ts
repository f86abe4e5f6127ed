import { enqueueRows, type EnqueueRow } from '../conversions/enqueue.ts';
import { hashUser } from '../conversions/identity/hash-user.ts';
import type { ClientContext, Conversion, ConversionItem } from '../conversions/types.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type { BrowserContext } from '../http/browser-context.ts';
import { resolveConsent, type ConsentChoice } from '../http/consent.ts';
import { TRACKABLE_EVENTS } from './event-names.ts';
import type { TrackEvent } from './schema.ts';

/** What the request that carried the events tells about the person, and the deployment's rules. */
export interface TrackContext {
  browser: BrowserContext;
  /** Consent for events that name none (server-side `track()`); an event's own `consent` wins. */
  consent?: ConsentChoice;
  /** REQUIRE_AD_CONSENT. */
  requireAdConsent: boolean;
  /** Unix seconds. */
  now: number;
  /** Live or test, as the deployment's Stripe key says: a staging site must not feed a live pixel. */
  livemode: boolean;
  origin: 'browser' | 'server';
}

/** One event → its conversion, hashed here once, so nothing raw goes further. Pure. */
export function conversionFromEvent(event: TrackEvent, context: TrackContext): Conversion {
  const custom = event.custom_data ?? {};
  const user = event.user_data ?? {};
  const consent = resolveConsent(event.consent ?? context.consent, context.requireAdConsent);
  const { browser } = context;
  const conversion: Conversion = {
    kind: TRACKABLE_EVENTS[event.event_name],
    eventId: event.event_id,
    eventTime: context.now,
    livemode: context.livemode,
    actionSource: 'website',
    items: items(custom),
    user: hashUser({
      email: user.email,
      phone: user.phone,
      externalId: user.external_id,
      firstName: user.first_name,
      lastName: user.last_name,
    }),
    client: clientOf(browser),
    page: compact({ url: event.event_source_url ?? browser.eventSourceUrl }),
    consent: consent.conversionConsent,
  };
  if (custom.value !== undefined) conversion.value = custom.value;
  if (custom.currency !== undefined) conversion.currency = custom.currency.toUpperCase();
  if (custom.content_type !== undefined) conversion.contentType = custom.content_type;
  if (custom.search_string !== undefined) conversion.search = custom.search_string;
  return conversion;
}

/** The outbox rows of a request's events: one per destination per event, skipped without consent. */
export function trackRows(events: readonly TrackEvent[], context: TrackContext, names: EventNameSettings): EnqueueRow[] {
  return enqueueRows(events.map((event) => conversionFromEvent(event, context)), context.origin, names);
}

function clientOf(browser: BrowserContext): ClientContext {
  return compact({
    ipAddress: browser.ipAddress,
    userAgent: browser.userAgent,
    fbc: browser.fbc,
    fbp: browser.fbp,
    ttclid: browser.ttclid,
    ttp: browser.ttp,
  });
}
/** `contents` carry quantity and price; bare `content_ids` count one each. */
function items(custom: NonNullable<TrackEvent['custom_data']>): ConversionItem[] {
  if (custom.contents) {
    return custom.contents.map((c) => compact({ id: c.id, quantity: c.quantity ?? 1, price: c.item_price }) as ConversionItem);
  }
  return (custom.content_ids ?? []).map((id) => ({ id, quantity: 1 }));
}

function compact<T extends Record<string, unknown>>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}
