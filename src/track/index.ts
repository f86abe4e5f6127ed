/**
 * Server-side `track()` for the app's own code: the same events as the browser's `track` function,
 * recorded from the request the app is answering (its cookies, IP and user agent), in one SQL call,
 * and delivered like every other conversion.
 *
 *   import { track } from '<this project>/src/track/index.ts';
 *   await track({ event_name: 'CompleteRegistration', event_id: user.id, user_data: { email } }, { request, waitUntil: context.waitUntil });
 */
import { deliverSafely, getApp, type App } from '../app.ts';
import type { ConsentChoice } from '../http/consent.ts';
import { trackDeps } from './deps.ts';
import { recordEvents } from './record.ts';
import { parseTrackBody } from './schema.ts';
import { sanitizeJson } from '../webhook/sanitize.ts';

export type { TrackEvent } from './schema.ts';

export interface ServerTrackOptions {
  /** The request the app is answering: IP, user agent, `_fbp`/`_fbc`/`_ttp` cookies, Referer. */
  request: Request;
  /** Netlify's `context.ip`, when the app runs as a Netlify function. */
  contextIp?: string;
  /** For events that name none; REQUIRE_AD_CONSENT applies as in the browser function. */
  consent?: ConsentChoice;
  /**
   * Netlify's `context.waitUntil`: delivery then starts after the response. Without it the scheduled
   * drain delivers the events (within a minute).
   */
  waitUntil?: (promise: Promise<unknown>) => void;
  /** The configured app; by default the instance's own (settings from the environment). */
  app?: App;
}

export type ServerTrackResult = { ok: true; accepted: number; queued: number } | { ok: false; error: string };

/**
 * One event or `{events: [...]}` (≤ 20), checked exactly like the browser's: a bad one is an error
 * value naming it, never a throw. A database failure does throw (the caller decides what to answer).
 */
export async function track(event: unknown, options: ServerTrackOptions): Promise<ServerTrackResult> {
  // Cleaned as the browser function's body is: Postgres stores no NUL and no lone surrogate.
  const cleaned = sanitizeJson(event);
  if (!cleaned.ok) return { ok: false, error: `event is ${cleaned.reason}` };
  const parsed = parseTrackBody(cleaned.value);
  if (!parsed.ok) return parsed;
  const app = options.app ?? (await getApp());
  const { record } = trackDeps(app);
  const result = await recordEvents(await app.db(), record, {
    req: options.request,
    events: parsed.events,
    origin: 'server',
    nowMs: app.now(),
    ...(options.contextIp !== undefined && { contextIp: options.contextIp }),
    ...(options.consent && { consent: options.consent }),
  });
  if (result.ids.length > 0) options.waitUntil?.(deliverSafely(app, { ids: result.ids }));
  return { ok: true, accepted: parsed.events.length, queued: result.ids.length };
}
