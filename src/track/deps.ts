import type { App } from '../app.ts';
import { corsPolicy } from '../http/cors.ts';
import { destinationState } from '../ops/destination-state.ts';
import type { TrackDeps } from './handle.ts';
import { createRateLimiter } from './rate-limit.ts';

const perApp = new WeakMap<App, TrackDeps>();

/** The track function's ports and settings, resolved once per instance (the limiter must persist). */
export function trackDeps(app: App): TrackDeps {
  let deps = perApp.get(app);
  if (!deps) {
    const { config } = app;
    deps = {
      db: app.db,
      now: app.now,
      log: app.log,
      limiter: createRateLimiter(config.track.rateLimitPerMinute),
      cors: corsPolicy(config.http.allowedOrigins, config.http.siteUrl),
      destinations: {
        tiktok: destinationState(config.tiktok, config.stripe.expectedLivemode),
        meta: destinationState(config.meta, config.stripe.expectedLivemode),
      },
      record: {
        names: { tiktokPurchaseEvent: config.tiktokPurchaseEvent },
        requireAdConsent: config.http.requireAdConsent,
        // No Stripe key: nothing says this is a test deployment, so events are live.
        livemode: config.stripe.expectedLivemode ?? true,
      },
    };
    perApp.set(app, deps);
  }
  return deps;
}
