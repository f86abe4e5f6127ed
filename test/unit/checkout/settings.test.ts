import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../../src/config.ts';

const base = { STRIPE_WEBHOOK_SECRET: 'whsec_test' };
const problems = (env: Record<string, string>) => {
  try {
    loadConfig({ ...base, ...env });
    return [];
  } catch (error) {
    return (error as ConfigError).problems;
  }
};

describe('checkout settings', () => {
  it('defaults the return URLs from Netlify’s URL and reads the price list', () => {
    const { checkout, http } = loadConfig({ ...base, URL: 'https://shop.example/', CHECKOUT_PRICES: 'price_A1, price_B2,price_A1' });
    expect(checkout).toEqual({
      prices: ['price_A1', 'price_B2'],
      successUrl: 'https://shop.example/thanks?session_id={CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://shop.example/',
      requireAuth: false,
      jwt: {},
    });
    expect(http).toEqual({ allowedOrigins: [], siteUrl: 'https://shop.example/', requireAdConsent: false });
  });

  it('takes explicit URLs, the JWT settings and the flags', () => {
    const { checkout, http } = loadConfig({
      ...base,
      CHECKOUT_SUCCESS_URL: 'https://a.example/done/{CHECKOUT_SESSION_ID}',
      CHECKOUT_CANCEL_URL: 'https://a.example/back',
      CHECKOUT_REQUIRE_AUTH: 'true',
      REQUIRE_AD_CONSENT: 'true',
      ALLOWED_ORIGINS: 'https://a.example, http://localhost:5173',
      SUPABASE_URL: 'https://ref.supabase.co/',
      SUPABASE_SERVICE_ROLE_KEY: 'service',
      SUPABASE_JWT_SECRET: 'x'.repeat(40),
    });
    expect(checkout).toMatchObject({
      successUrl: 'https://a.example/done/{CHECKOUT_SESSION_ID}',
      cancelUrl: 'https://a.example/back',
      requireAuth: true,
      jwt: { secret: 'x'.repeat(40), supabaseUrl: 'https://ref.supabase.co' },
    });
    expect(http).toMatchObject({ allowedOrigins: ['https://a.example', 'http://localhost:5173'], requireAdConsent: true });
  });

  it('refuses a success URL without {CHECKOUT_SESSION_ID}, bad price ids and origins, a short JWT secret', () => {
    expect(
      problems({
        CHECKOUT_SUCCESS_URL: 'https://a.example/thanks',
        CHECKOUT_PRICES: 'price_ok,prod_nope',
        ALLOWED_ORIGINS: 'https://a.example/path',
        SUPABASE_JWT_SECRET: 'short',
      })
        .map((p) => p.split(':')[0])
        .sort(),
    ).toEqual(['ALLOWED_ORIGINS', 'CHECKOUT_PRICES', 'CHECKOUT_SUCCESS_URL', 'SUPABASE_JWT_SECRET']);
  });
});

