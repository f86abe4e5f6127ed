import { describe, expect, it } from 'vitest';
import { tiktok } from '../../../src/destinations/tiktok/index.ts';
import {
  HASH, SESSION_ID, SUCCESS_URL, USER_AGENT, bareUsdPurchase, jpyPurchase, kwdPurchase, renewal, startTrial,
  subscribe, tiktokSettings, usdPurchase,
} from './fixtures.ts';

const build = (...args: Parameters<typeof tiktok.buildRequest>) => {
  const request = tiktok.buildRequest(...args);
  return { ...request, json: JSON.parse(request.body) };
};

/** The §3.11 user block for the full fixture. */
const fullUser = {
  email: [HASH.email],
  phone: [HASH.phoneE164],
  external_id: [HASH.externalId],
  ttclid: 'E.C.P.abc123',
  ttp: '2F7h37YkS1j57AYSKTI7IHhJPYH',
  ip: '203.0.113.7',
  user_agent: USER_AGENT,
  locale: 'sv-SE',
};
const fullPage = { url: SUCCESS_URL, referrer: 'https://checkout.stripe.com/' };

describe('tiktok.buildRequest', () => {
  it('builds the one-time USD purchase exactly (with a test event code)', () => {
    const request = build([usdPurchase()], tiktokSettings, { testEventCode: 'TEST_ABCDEFGH' });
    expect(request.url).toBe('https://business-api.tiktok.com/open_api/v1.3/event/track/');
    expect(request.headers).toEqual({ 'Access-Token': 'tiktok-test-token', 'Content-Type': 'application/json' });
    expect(request.json).toEqual({
      event_source: 'web',
      event_source_id: 'CXXXXXXXXXXXXXXXXXXX',
      test_event_code: 'TEST_ABCDEFGH',
      data: [
        {
          event: 'CompletePayment',
          event_time: 1795420862,
          event_id: SESSION_ID,
          user: fullUser,
          properties: {
            contents: [{ content_id: 'prod_lifetime_pro', content_name: 'Lifetime Pro', quantity: 1, price: 49 }],
            content_type: 'product',
            currency: 'USD',
            value: 49,
            order_id: SESSION_ID,
          },
          page: fullPage,
          limited_data_use: false,
        },
      ],
    });
  });

  it('omits test_event_code when none is given, and every absent key', () => {
    const request = build([bareUsdPurchase()], tiktokSettings, {});
    expect(request.json).toEqual({
      event_source: 'web',
      event_source_id: 'CXXXXXXXXXXXXXXXXXXX',
      data: [
        {
          event: 'CompletePayment',
          event_time: 1795420862,
          event_id: SESSION_ID,
          user: { email: [HASH.email] },
          properties: {
            contents: [{ content_id: 'prod_basic', quantity: 2, price: 10 }],
            content_type: 'product',
            currency: 'USD',
            value: 20,
            order_id: SESSION_ID,
          },
          page: {},
          limited_data_use: false,
        },
      ],
    });
    expect(request.body).not.toContain('null');
    expect(request.body).not.toContain('[]');
  });

  it('uses the configured purchase name and tolerates a trailing slash on the base URL', () => {
    const settings = { ...tiktokSettings, purchaseEvent: 'Purchase' as const, apiBaseUrl: 'http://127.0.0.1:4010/' };
    const request = build([usdPurchase()], settings, {});
    expect(request.url).toBe('http://127.0.0.1:4010/open_api/v1.3/event/track/');
    expect(request.json.data[0].event).toBe('Purchase');
  });

  it.each([
    ['JPY (zero-decimal)', jpyPurchase(), 'JPY', 4900],
    ['KWD (three-decimal)', kwdPurchase(), 'KWD', 12.345],
  ])('passes the decimal value of %s through', (_label, conversion, currency, value) => {
    const { properties } = build([conversion], tiktokSettings, {}).json.data[0];
    expect(properties).toEqual({
      contents: [{ content_id: 'prod_lifetime_pro', content_name: 'Lifetime Pro', quantity: 1, price: value }],
      content_type: 'product',
      currency,
      value,
      order_id: SESSION_ID,
    });
  });

  it('names subscriptions Subscribe and trials StartTrial (value 0)', () => {
    const { data } = build([subscribe(), startTrial()], tiktokSettings, {}).json;
    expect(data.map((e: { event: string }) => e.event)).toEqual(['Subscribe', 'StartTrial']);
    expect(data[0].properties).toMatchObject({ currency: 'USD', value: 9.99 });
    expect(data[1].properties).toEqual({
      contents: [{ content_id: 'prod_monthly', content_name: 'Monthly', quantity: 1, price: 0 }],
      content_type: 'product',
      currency: 'USD',
      value: 0,
      order_id: SESSION_ID,
    });
  });

  it('sends a renewal under the purchase name, keyed by the invoice id, without browser data', () => {
    const { data } = build([renewal()], tiktokSettings, {}).json;
    expect(data).toEqual([
      {
        event: 'CompletePayment',
        event_time: 1798012862,
        event_id: 'in_1QaBcD2eFgHiJkLm',
        user: { email: [HASH.email], phone: [HASH.phoneE164], external_id: [HASH.externalId] },
        properties: {
          contents: [{ content_id: 'prod_monthly', content_name: 'Monthly', quantity: 1, price: 9.99 }],
          content_type: 'product',
          currency: 'USD',
          value: 9.99,
          order_id: 'in_1QaBcD2eFgHiJkLm',
        },
        page: {},
        limited_data_use: false,
      },
    ]);
  });
});

describe('tiktok event names and limits', () => {
  it.each([
    ['purchase', 'CompletePayment', 'CompletePayment'],
    ['purchase', 'Purchase', 'Purchase'],
    ['renewal', 'Purchase', 'Purchase'],
    ['subscribe', 'Purchase', 'Subscribe'],
    ['start_trial', 'CompletePayment', 'StartTrial'],
  ] as const)('%s with %s → %s', (kind, tiktokPurchaseEvent, expected) => {
    expect(tiktok.eventName(kind, { tiktokPurchaseEvent })).toBe(expected);
  });

  it('caps a request at 1,000 events and guards events older than 7 days', () => {
    expect(tiktok.maxBatchSize).toBe(1000);
    expect(tiktok.maxEventAgeSeconds).toBe(7 * 86400);
  });
});

describe('tiktok.rejectReason', () => {
  it('refuses a currency outside TikTok’s list without building a request', () => {
    expect(tiktok.rejectReason?.(usdPurchase({ currency: 'XOF' }))).toBe('currency XOF is not supported by TikTok');
  });

  it.each(['USD', 'JPY', 'KWD', 'SEK', 'EUR'])('accepts %s', (currency) => {
    expect(tiktok.rejectReason?.(usdPurchase({ currency }))).toBeUndefined();
  });
});

describe('Limited Data Use', () => {
  it('TIKTOK_LIMITED_DATA_USE=true marks every event limited_data_use', () => {
    const { data } = build([usdPurchase(), subscribe()], { ...tiktokSettings, limitedDataUse: true }, {}).json;
    expect(data.map((e: { limited_data_use: boolean }) => e.limited_data_use)).toEqual([true, true]);
  });
});
