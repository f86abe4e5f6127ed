import { FUNNEL_EVENTS, isFunnelKind } from '../../conversions/funnel-events.ts';
import type { Conversion, ConversionKind } from '../../conversions/types.ts';
import type { EventNameSettings, OutgoingRequest } from '../types.ts';
import { TRACK_PATH, type TiktokSettings } from './settings.ts';

/** TikTok's supported currencies (Events API `properties.currency`); anything else is refused. */
export const SUPPORTED_CURRENCIES: ReadonlySet<string> = new Set([
  'AED', 'ARS', 'AUD', 'BDT', 'BHD', 'BIF', 'BOB', 'BRL', 'CAD', 'CHF', 'CLP', 'CNY', 'COP', 'CRC',
  'CZK', 'DKK', 'DZD', 'EGP', 'EUR', 'GBP', 'GTQ', 'HKD', 'HNL', 'HUF', 'IDR', 'ILS', 'INR', 'ISK',
  'JPY', 'KES', 'KHR', 'KRW', 'KWD', 'KZT', 'MAD', 'MOP', 'MXN', 'MYR', 'NGN', 'NIO', 'NOK', 'NZD',
  'OMR', 'PEN', 'PHP', 'PKR', 'PLN', 'PYG', 'QAR', 'RON', 'RUB', 'SAR', 'SEK', 'SGD', 'THB', 'TRY',
  'TWD', 'UAH', 'USD', 'VES', 'VND', 'ZAR',
]);

/** Renewals reuse the purchase name, so the pixel and the server agree on a single string. */
export function eventName(kind: ConversionKind, settings: EventNameSettings): string {
  if (isFunnelKind(kind)) return FUNNEL_EVENTS[kind].tiktok;
  switch (kind) {
    case 'purchase':
    case 'renewal':
      return settings.tiktokPurchaseEvent;
    case 'subscribe':
      return 'Subscribe';
    case 'start_trial':
      return 'StartTrial';
  }
}

/**
 * Why TikTok must not be sent this conversion, or undefined. TikTok answers 40002 for a currency
 * outside its list, so such events are dead-lettered up front instead of spending a request.
 */
export function rejectReason(conversion: Conversion): string | undefined {
  // An event other than a purchase may come without a value, and then has no currency to check.
  if (conversion.currency === undefined && conversion.kind !== 'purchase' && conversion.kind !== 'renewal') return undefined;
  if (!SUPPORTED_CURRENCIES.has(conversion.currency ?? '')) {
    return `currency ${conversion.currency} is not supported by TikTok`;
  }
  return undefined;
}

export function buildRequest(
  conversions: Conversion[],
  settings: TiktokSettings,
  options: { testEventCode?: string },
): OutgoingRequest {
  const body = {
    event_source: 'web',
    event_source_id: settings.pixelId,
    ...(options.testEventCode ? { test_event_code: options.testEventCode } : {}),
    data: conversions.map((c) => toEvent(c, settings)),
  };
  return {
    url: settings.apiBaseUrl.replace(/\/+$/, '') + TRACK_PATH,
    headers: { 'Access-Token': settings.accessToken, 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  };
}

function toEvent(c: Conversion, settings: TiktokSettings) {
  const { user, client } = c;
  return {
    event: c.eventName ?? eventName(c.kind, { tiktokPurchaseEvent: settings.purchaseEvent }),
    event_time: c.eventTime,
    event_id: c.eventId,
    user: compact({
      email: list(user.email),
      phone: list(user.phoneE164),
      external_id: list(user.externalId),
      ttclid: client.ttclid,
      ttp: client.ttp,
      ip: client.ipAddress,
      user_agent: client.userAgent,
      locale: client.locale,
    }),
    properties: compact({
      contents: c.items.length > 0 ? c.items.map(toContent) : undefined,
      content_type: c.contentType ?? 'product',
      currency: c.currency,
      value: c.value,
      order_id: c.orderId,
      query: c.search,
    }),
    // TikTok requires `page` on web events; it stays an empty object when nothing was captured.
    page: compact({ url: c.page.url, referrer: c.page.referrer }),
    limited_data_use: settings.limitedDataUse === true,
  };
}

function toContent(item: Conversion['items'][number]) {
  return compact({ content_id: item.id, content_name: item.name, quantity: item.quantity, price: item.price });
}

function list(hash: string | undefined): string[] | undefined {
  return hash ? [hash] : undefined;
}

/** Drops undefined and empty-string values so absent data is an absent key, never null or "". */
function compact<T extends Record<string, unknown>>(object: T): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([, v]) => v !== undefined && v !== '')) as Partial<T>;
}
