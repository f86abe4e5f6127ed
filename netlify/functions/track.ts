import type { Config, Context } from '@netlify/functions';
import { appOrMisconfigured, deliverSafely } from '../../src/app.ts';
import { handleTrack } from '../../src/track/handle.ts';
import { trackDeps } from '../../src/track/deps.ts';

/**
 * POST /.netlify/functions/track — the funnel's browser events (public/tracking.js posts them), queued
 * in one SQL call and delivered after the response; GET says which destinations are on.
 */
export default async (req: Request, context: Context): Promise<Response> => {
  const app = await appOrMisconfigured('track');
  if (app instanceof Response) return app;
  const { response, ids } = await handleTrack(req, context.ip, trackDeps(app));
  if (ids.length > 0) context.waitUntil(deliverSafely(app, { ids }));
  return response;
};

/**
 * Netlify's own rule, enforced at its edge before the function runs (sliding window, seconds).
 * `aggregateBy` must be an array: a bare 'ip' is accepted by the build and silently becomes per
 * domain. It is static (read at deploy), so it matches the default TRACK_RATE_LIMIT_PER_MINUTE; the
 * in-process guard applies the setting.
 */
export const config: Config = {
  rateLimit: { windowLimit: 60, windowSize: 60, aggregateBy: ['ip', 'domain'], action: 'rate_limit' },
};
