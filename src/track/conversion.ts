import { hashUser } from '../conversions/identity/hash-user.ts';
import { outboxRows } from '../conversions/outbox-rows.ts';
import type { AdConsent, ClientContext, Conversion, ConversionItem } from '../conversions/types.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type { OutboxConversion } from '../provisioning/command.ts';
import { TRACKABLE_EVENTS } from './event-names.ts';
import type { TrackEvent } from './schema.ts';

/** What the request that carried the events tells about the person (src/http gathers it). */
export interface TrackContext {
  client: ClientContext;
  /** The page, when the event does not name one (the Referer). */
  pageUrl?: string;
  /** Consent the request gave as a whole; an event's own `consent` wins. */
  consent: AdConsent;
  /** True when nothing may be sent without `granted` (REQUIRE_AD_CONSENT). */
  requireConsent: boolean;
  /** Unix seconds. */
  now: number;
  /** Live or test, as the deployment's Stripe key says: a staging site must not feed a live pixel. */
  livemode: boolean;
  origin: 'browser' | 'server';
}

export type TrackRow = OutboxConversion & { origin: 'browser' | 'server' };

/** One event → its conversion, hashed here once, so nothing raw goes further. Pure. */
export function conversionFromEvent(event: TrackEvent, context: TrackContext): Conversion {
  const custom = event.custom_data ?? {};
  const user = event.user_data ?? {};
  const consent = effectiveConsent(event.consent ?? context.consent, context.requireConsent);
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
    client: context.client,
    page: compact({ url: event.event_source_url ?? context.pageUrl }),
    consent,
  };
  if (custom.value !== undefined) conversion.value = custom.value;
  if (custom.currency !== undefined) conversion.currency = custom.currency.toUpperCase();
  if (custom.content_type !== undefined) conversion.contentType = custom.content_type;
  if (custom.search_string !== undefined) conversion.search = custom.search_string;
  return conversion;
}

/** The outbox rows of a request's events: one per destination per event, skipped without consent. */
export function trackRows(events: TrackEvent[], context: TrackContext, names: EventNameSettings): TrackRow[] {
  return events.flatMap((event) =>
    outboxRows(conversionFromEvent(event, context), null, names).map((row) => ({ ...row, origin: context.origin })),
  );
}

/** `REQUIRE_AD_CONSENT=true` turns "not said" into "denied", as at checkout creation. */
function effectiveConsent(given: AdConsent, requireConsent: boolean): AdConsent {
  if (given === 'unknown' && requireConsent) return 'denied';
  return given;
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
