import { describe, expect, it } from 'vitest';
import { meta } from '../../../src/destinations/meta/index.ts';
import {
  HASH, SESSION_ID, SUCCESS_URL, USER_AGENT, bareUsdPurchase, jpyPurchase, kwdPurchase, metaSettings, renewal,
  startTrial, subscribe, usdPurchase,
} from './fixtures.ts';

const build = (...args: Parameters<typeof meta.buildRequest>) => {
  const request = meta.buildRequest(...args);
  return { ...request, json: JSON.parse(request.body) };
};

const fullUserData = {
  em: [HASH.email],
  ph: [HASH.phoneDigits],
  fn: [HASH.firstName],
  ln: [HASH.lastName],
  ct: [HASH.city],
  st: [HASH.state],
  zp: [HASH.postalCode],
  country: [HASH.country],
  external_id: [HASH.externalId],
  client_ip_address: '203.0.113.7',
  client_user_agent: USER_AGENT,
  fbc: 'fb.1.1795420800000.IwAR0xyz',
  fbp: 'fb.1.1795420700000.1116446470',
};

const purchaseCustomData = (currency: string, value: number) => ({
  currency,
  value,
  order_id: SESSION_ID,
  content_type: 'product',
  content_ids: ['prod_lifetime_pro'],
  contents: [{ id: 'prod_lifetime_pro', quantity: 1, item_price: value }],
  num_items: 1,
});

describe('meta.buildRequest', () => {
  it('builds the one-time USD purchase exactly (with a test event code)', () => {
    const request = build([usdPurchase()], metaSettings, { testEventCode: 'TEST12345' });
    expect(request.url).toBe('https://graph.facebook.com/v26.0/1234567890/events');
    expect(request.headers).toEqual({ Authorization: 'Bearer meta-test-token', 'Content-Type': 'application/json' });
    expect(request.json).toEqual({
      data: [
        {
          event_name: 'Purchase',
          event_time: 1795420862,
          event_id: SESSION_ID,
          action_source: 'website',
          event_source_url: SUCCESS_URL,
          user_data: fullUserData,
          custom_data: purchaseCustomData('USD', 49),
        },
      ],
      test_event_code: 'TEST12345',
    });
  });

  it('keeps the token out of the URL', () => {
    const request = build([usdPurchase()], metaSettings, {});
    expect(request.url).not.toContain('meta-test-token');
    expect(request.body).not.toContain('meta-test-token');
  });

  it('omits test_event_code when none is given, LDU keys when LDU is off, and every absent key', () => {
    const request = build([bareUsdPurchase()], metaSettings, {});
    expect(request.json).toEqual({
      data: [
        {
          event_name: 'Purchase',
          event_time: 1795420862,
          event_id: SESSION_ID,
          action_source: 'website',
          user_data: { em: [HASH.email] },
          custom_data: {
            currency: 'USD',
            value: 20,
            order_id: SESSION_ID,
            content_type: 'product',
            content_ids: ['prod_basic'],
            contents: [{ id: 'prod_basic', quantity: 2, item_price: 10 }],
            num_items: 2,
          },
        },
      ],
    });
    expect(request.body).not.toContain('null');
    expect(request.body).not.toContain('data_processing_options');
  });

  it('asks Meta to geolocate Limited Data Use when LDU is on', () => {
    const { data } = build([usdPurchase()], { ...metaSettings, limitedDataUse: 'geolocate' }, {}).json;
    expect(data[0]).toEqual({
      event_name: 'Purchase',
      event_time: 1795420862,
      event_id: SESSION_ID,
      action_source: 'website',
      event_source_url: SUCCESS_URL,
      user_data: fullUserData,
      custom_data: purchaseCustomData('USD', 49),
      data_processing_options: ['LDU'],
      data_processing_options_country: 0,
      data_processing_options_state: 0,
    });
  });

  it('takes version and base URL from the settings (trailing slash tolerated)', () => {
    const settings = { ...metaSettings, apiBaseUrl: 'http://127.0.0.1:4020/', apiVersion: 'v25.0' };
    expect(build([usdPurchase()], settings, {}).url).toBe('http://127.0.0.1:4020/v25.0/1234567890/events');
  });

  it.each([
    ['JPY (zero-decimal)', jpyPurchase(), 'JPY', 4900],
    ['KWD (three-decimal)', kwdPurchase(), 'KWD', 12.345],
  ])('passes the decimal value of %s through', (_label, conversion, currency, value) => {
    expect(build([conversion], metaSettings, {}).json.data[0].custom_data).toEqual(purchaseCustomData(currency, value));
  });

  it('names subscriptions Subscribe and trials StartTrial (value 0)', () => {
    const { data } = build([subscribe(), startTrial()], metaSettings, {}).json;
    expect(data.map((e: { event_name: string }) => e.event_name)).toEqual(['Subscribe', 'StartTrial']);
    expect(data[1].custom_data).toEqual({
      currency: 'USD',
      value: 0,
      order_id: SESSION_ID,
      content_type: 'product',
      content_ids: ['prod_monthly'],
      contents: [{ id: 'prod_monthly', quantity: 1, item_price: 0 }],
      num_items: 1,
    });
  });

  it('sends a renewal as a system_generated Purchase keyed by the invoice id', () => {
    const { data } = build([renewal()], metaSettings, {}).json;
    expect(data).toEqual([
      {
        event_name: 'Purchase',
        event_time: 1798012862,
        event_id: 'in_1QaBcD2eFgHiJkLm',
        action_source: 'system_generated',
        user_data: {
          em: [HASH.email],
          ph: [HASH.phoneDigits],
          fn: [HASH.firstName],
          ln: [HASH.lastName],
          ct: [HASH.city],
          st: [HASH.state],
          zp: [HASH.postalCode],
          country: [HASH.country],
          external_id: [HASH.externalId],
        },
        custom_data: {
          currency: 'USD',
          value: 9.99,
          order_id: 'in_1QaBcD2eFgHiJkLm',
          content_type: 'product',
          content_ids: ['prod_monthly'],
          contents: [{ id: 'prod_monthly', quantity: 1, item_price: 9.99 }],
          num_items: 1,
        },
      },
    ]);
  });

  it('lists a product once in content_ids but every line in contents', () => {
    const conversion = usdPurchase({
      items: [
        { id: 'prod_a', quantity: 1, price: 10 },
        { id: 'prod_a', quantity: 2, price: 8 },
      ],
      value: 26,
    });
    const { custom_data } = build([conversion], metaSettings, {}).json.data[0];
    expect(custom_data.content_ids).toEqual(['prod_a']);
    expect(custom_data.contents).toHaveLength(2);
    expect(custom_data.num_items).toBe(3);
  });
});

describe('meta event names, limits and rejectReason', () => {
  it.each([
    ['purchase', 'Purchase'],
    ['renewal', 'Purchase'],
    ['subscribe', 'Subscribe'],
    ['start_trial', 'StartTrial'],
  ] as const)('%s → %s', (kind, expected) => {
    expect(meta.eventName(kind, { tiktokPurchaseEvent: 'CompletePayment' })).toBe(expected);
  });

  it('caps a request at 1,000 events and gives up an hour before Meta’s 7 days', () => {
    expect(meta.maxBatchSize).toBe(1000);
    expect(meta.maxEventAgeSeconds).toBe(7 * 86400 - 3600);
  });

  it('still sends a website event without user agent or page URL (lower match quality, not refused)', () => {
    expect(meta.rejectReason?.(bareUsdPurchase())).toBeUndefined();
  });

  it('refuses a malformed currency or a non-finite value', () => {
    expect(meta.rejectReason?.(usdPurchase({ currency: 'usd' }))).toBe('currency usd is not an ISO 4217 code');
    expect(meta.rejectReason?.(usdPurchase({ value: Number.NaN }))).toBe('value NaN is not a finite number');
  });
});
