import type { Conversion } from '../../../src/conversions/types.ts';
import type { MetaSettings } from '../../../src/destinations/meta/index.ts';
import type { TiktokSettings } from '../../../src/destinations/tiktok/index.ts';

/** Obvious placeholders: hashing is tested in the identity module, not here. */
export const HASH = {
  email: 'a'.repeat(64),
  phoneDigits: 'b'.repeat(64),
  phoneE164: 'c'.repeat(64),
  firstName: 'd'.repeat(64),
  lastName: 'e'.repeat(64),
  city: 'f'.repeat(64),
  state: '1'.repeat(64),
  postalCode: '2'.repeat(64),
  country: '3'.repeat(64),
  externalId: '4'.repeat(64),
};

export const SESSION_ID = 'cs_test_a1kZ3pQ7rT9vW2xY4bN6mC8dF0gH2jK4lL6nP8qR0sT2uV4wX6yZ8aB0cD2e';
export const SUCCESS_URL = `https://shop.example/success?session_id=${SESSION_ID}`;
export const USER_AGENT = 'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15';

/** The one-time USD purchase of the Stripe fixture, with everything captured at checkout. */
export function usdPurchase(overrides: Partial<Conversion> = {}): Conversion {
  return {
    kind: 'purchase',
    eventId: SESSION_ID,
    eventTime: 1795420862,
    livemode: false,
    actionSource: 'website',
    value: 49,
    currency: 'USD',
    orderId: SESSION_ID,
    items: [{ id: 'prod_lifetime_pro', name: 'Lifetime Pro', quantity: 1, price: 49 }],
    user: { ...HASH },
    client: {
      ipAddress: '203.0.113.7',
      userAgent: USER_AGENT,
      fbc: 'fb.1.1795420800000.IwAR0xyz',
      fbp: 'fb.1.1795420700000.1116446470',
      ttclid: 'E.C.P.abc123',
      ttp: '2F7h37YkS1j57AYSKTI7IHhJPYH',
      locale: 'sv-SE',
    },
    page: { url: SUCCESS_URL, referrer: 'https://checkout.stripe.com/' },
    consent: 'granted',
    ...overrides,
  };
}

/** A Stripe-only purchase: no browser data and only an email, so most keys must be absent. */
export function bareUsdPurchase(): Conversion {
  return usdPurchase({ user: { email: HASH.email }, client: {}, page: {}, items: [{ id: 'prod_basic', quantity: 2, price: 10 }], value: 20 });
}

export function jpyPurchase(): Conversion {
  return usdPurchase({ currency: 'JPY', value: 4900, items: [{ id: 'prod_lifetime_pro', name: 'Lifetime Pro', quantity: 1, price: 4900 }] });
}

export function kwdPurchase(): Conversion {
  return usdPurchase({ currency: 'KWD', value: 12.345, items: [{ id: 'prod_lifetime_pro', name: 'Lifetime Pro', quantity: 1, price: 12.345 }] });
}

export function subscribe(): Conversion {
  return usdPurchase({ kind: 'subscribe', value: 9.99, items: [{ id: 'prod_monthly', name: 'Monthly', quantity: 1, price: 9.99 }] });
}

export function startTrial(): Conversion {
  return usdPurchase({ kind: 'start_trial', value: 0, items: [{ id: 'prod_monthly', name: 'Monthly', quantity: 1, price: 0 }] });
}

/** An `invoice.paid` / `subscription_cycle` renewal: no browser twin, keyed by the invoice id. */
export function renewal(): Conversion {
  return usdPurchase({
    kind: 'renewal',
    eventId: 'in_1QaBcD2eFgHiJkLm',
    orderId: 'in_1QaBcD2eFgHiJkLm',
    eventTime: 1798012862,
    actionSource: 'system_generated',
    value: 9.99,
    items: [{ id: 'prod_monthly', name: 'Monthly', quantity: 1, price: 9.99 }],
    client: {},
    page: {},
  });
}

export const tiktokSettings: TiktokSettings = {
  pixelId: 'CXXXXXXXXXXXXXXXXXXX',
  accessToken: 'tiktok-test-token',
  apiBaseUrl: 'https://business-api.tiktok.com',
  purchaseEvent: 'CompletePayment',
};

export const metaSettings: MetaSettings = {
  pixelId: '1234567890',
  accessToken: 'meta-test-token',
  apiBaseUrl: 'https://graph.facebook.com',
  apiVersion: 'v26.0',
  limitedDataUse: 'off',
};
