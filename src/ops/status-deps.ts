import type { App } from '../app.ts';
import type { StatusDeps } from './status.ts';

/** tracking-status's ports, built from an App. */
export function statusDeps(app: App): StatusDeps {
  const { config } = app;
  return {
    db: app.db,
    statusToken: config.ops.statusToken,
    settings: { tiktok: config.tiktok, meta: config.meta },
    expectedLivemode: config.stripe.expectedLivemode,
  };
}
