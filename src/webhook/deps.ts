import { deliverSafely, type App } from '../app.ts';
import { createStripeApi, type StripeApi } from '../stripe/api.ts';
import type { WebhookDeps } from './handle.ts';

/**
 * The webhook's ports, built from an App. Kept apart from app.ts so that only the webhook bundle
 * carries the Stripe SDK.
 */
const stripeApis = new WeakMap<App, StripeApi | null>();

function stripeApiFor(app: App): StripeApi | null {
  if (!stripeApis.has(app)) {
    const { secretKey, apiBaseUrl, apiTimeoutMs } = app.config.stripe;
    stripeApis.set(app, secretKey ? createStripeApi({ secretKey, baseUrl: apiBaseUrl, timeoutMs: apiTimeoutMs }) : null);
  }
  return stripeApis.get(app) ?? null;
}

export function webhookDeps(app: App): WebhookDeps {
  return {
    webhookSecrets: app.config.stripe.webhookSecrets,
    maxBodyBytes: app.config.webhook.maxBodyBytes,
    names: { tiktokPurchaseEvent: app.config.tiktokPurchaseEvent },
    db: app.db,
    stripeApi: stripeApiFor(app),
    expectedLivemode: app.config.stripe.expectedLivemode,
    sendRenewals: app.config.lifecycle.sendRenewals,
    policy: {
      revokeOnFullRefund: app.config.lifecycle.revokeOnFullRefund,
      revokeOnDispute: app.config.lifecycle.revokeOnDispute,
    },
    now: app.now,
    log: app.log,
    deliver: (ids) => deliverSafely(app, { ids }),
  };
}
