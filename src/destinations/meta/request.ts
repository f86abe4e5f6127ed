import { FUNNEL_EVENTS, isFunnelKind } from '../../conversions/funnel-events.ts';
import type { Conversion, ConversionKind } from '../../conversions/types.ts';
import type { OutgoingRequest } from '../types.ts';
import type { MetaSettings } from './settings.ts';

const PURCHASE_NAMES = {
  purchase: 'Purchase',
  subscribe: 'Subscribe',
  start_trial: 'StartTrial',
  renewal: 'Purchase',
} as const;

export function eventName(kind: ConversionKind): string {
  return isFunnelKind(kind) ? FUNNEL_EVENTS[kind].meta : PURCHASE_NAMES[kind];
}

/**
 * Why Meta must not be sent this conversion, or undefined. Meta refuses the whole request for a
 * Purchase without a valid ISO 4217 currency or a numeric value.
 *
 * Website events without `client_user_agent` (or `event_source_url`) are sent anyway: Meta lists them
 * as required, but Segment's support notes say such events "may not be available for optimisation,
 * targeting, or measurement" rather than refused, and a Stripe-only shop often has no browser data.
 * Dropping the purchase would lose more than a lower match quality does.
 */
export function rejectReason(conversion: Conversion): string | undefined {
  // Only a Purchase must carry them; a Lead or a Subscribe reported without them is fine.
  const required = isPurchase(conversion.kind);
  if ((required || conversion.currency !== undefined) && !/^[A-Z]{3}$/.test(conversion.currency ?? '')) {
    return `currency ${conversion.currency} is not an ISO 4217 code`;
  }
  if ((required || conversion.value !== undefined) && !Number.isFinite(conversion.value)) {
    return `value ${conversion.value} is not a finite number`;
  }
  return undefined;
}

function isPurchase(kind: ConversionKind): boolean {
  return kind === 'purchase' || kind === 'renewal';
}

export function buildRequest(
  conversions: Conversion[],
  settings: MetaSettings,
  options: { testEventCode?: string },
): OutgoingRequest {
  const body = {
    data: conversions.map((c) => toEvent(c, settings)),
    ...(options.testEventCode ? { test_event_code: options.testEventCode } : {}),
  };
  const base = settings.apiBaseUrl.replace(/\/+$/, '');
  return {
    // The token goes in a header, never in the URL, so it cannot leak through URL logs.
    url: `${base}/${settings.apiVersion}/${encodeURIComponent(settings.pixelId)}/events`,
    headers: { Authorization: `Bearer ${settings.accessToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

function toEvent(c: Conversion, settings: MetaSettings) {
  const { user, client } = c;
  const contentIds = [...new Set(c.items.map((item) => item.id))];
  return compact({
    event_name: c.eventName ?? eventName(c.kind),
    event_time: c.eventTime,
    event_id: c.eventId,
    action_source: c.actionSource,
    event_source_url: c.page.url,
    user_data: compact({
      em: list(user.email),
      ph: list(user.phoneDigits),
      fn: list(user.firstName),
      ln: list(user.lastName),
      ct: list(user.city),
      st: list(user.state),
      zp: list(user.postalCode),
      country: list(user.country),
      external_id: list(user.externalId),
      client_ip_address: client.ipAddress,
      client_user_agent: client.userAgent,
      fbc: client.fbc,
      fbp: client.fbp,
    }),
    custom_data: compact({
      currency: c.currency,
      value: c.value,
      order_id: c.orderId,
      content_type: c.contentType ?? 'product',
      content_ids: contentIds.length > 0 ? contentIds : undefined,
      contents: c.items.length > 0
        ? c.items.map((item) => ({ id: item.id, quantity: item.quantity, item_price: item.price }))
        : undefined,
      num_items: c.items.length > 0 ? c.items.reduce((sum, item) => sum + item.quantity, 0) : undefined,
      search_string: c.search,
    }),
    ...(settings.limitedDataUse === 'geolocate'
      ? { data_processing_options: ['LDU'], data_processing_options_country: 0, data_processing_options_state: 0 }
      : {}),
  });
}

function list(hash: string | undefined): string[] | undefined {
  return hash ? [hash] : undefined;
}

/** Drops undefined and empty-string values so absent data is an absent key, never null or "". */
function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
