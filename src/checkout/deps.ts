import { randomUUID } from 'node:crypto';
import { deliverSafely, type App } from '../app.ts';
import { corsPolicy } from '../http/cors.ts';
import type { CheckoutDeps } from './handle.ts';
import { createTokenVerifier } from './jwt.ts';
import { cachedPrices } from './prices.ts';
import { createCheckoutStripe } from './stripe-client.ts';

/**
 * create-checkout-session's ports, built once per App (function instance), so the price cache and
 * the JWKS cache live as long as the instance.
 */
const built = new WeakMap<App, CheckoutDeps>();

export function checkoutDeps(app: App): CheckoutDeps {
  let deps = built.get(app);
  if (!deps) {
    deps = build(app);
    built.set(app, deps);
  }
  return deps;
}

function build(app: App): CheckoutDeps {
  const { config } = app;
  const { secretKey, apiBaseUrl, apiTimeoutMs, expectedLivemode } = config.stripe;
  const api = secretKey ? createCheckoutStripe({ secretKey, baseUrl: apiBaseUrl, timeoutMs: apiTimeoutMs }) : null;
  return {
    cors: corsPolicy(config.http.allowedOrigins, config.http.siteUrl),
    allowedPrices: config.checkout.prices,
    successUrl: config.checkout.successUrl,
    cancelUrl: config.checkout.cancelUrl,
    requireAuth: config.checkout.requireAuth,
    requireAdConsent: config.http.requireAdConsent,
    verifyToken: createTokenVerifier(config.checkout.jwt, apiTimeoutMs),
    stripe: api && { api, prices: cachedPrices(api), livemode: expectedLivemode ?? false },
    db: app.db,
    names: { tiktokPurchaseEvent: config.tiktokPurchaseEvent },
    now: app.now,
    log: app.log,
    deliver: (ids) => deliverSafely(app, { ids }),
    idempotencyKey: () => `checkout-${randomUUID()}`,
  };
}
