import { enqueue, type EnqueueResult } from '../conversions/enqueue.ts';
import type { Database } from '../db/port.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import { browserContext, type PageFields } from '../http/browser-context.ts';
import type { ConsentChoice } from '../http/consent.ts';
import { trackRows } from './conversion.ts';
import type { TrackEvent } from './schema.ts';

/** What recording needs from the deployment; built once per instance (deps.ts). */
export interface RecordSettings {
  names: EventNameSettings;
  requireAdConsent: boolean;
  livemode: boolean;
}

export interface RecordInput {
  req: Request;
  /** Netlify's `context.ip`, when there is one. */
  contextIp?: string;
  events: readonly TrackEvent[];
  origin: 'browser' | 'server';
  /** For events that name no consent of their own. */
  consent?: ConsentChoice;
  nowMs: number;
}

/**
 * Valid events → their outbox rows, in ONE SQL call. Gather (the request's cookies, IP, user agent,
 * page) → decide (pure: hashing, consent, one row per destination) → record. The browser function
 * and the server-side `track()` share it, so both write the same rows.
 */
export async function recordEvents(db: Database, settings: RecordSettings, input: RecordInput): Promise<EnqueueResult> {
  const browser = browserContext(input.req, clickIds(input.events), {
    nowMs: input.nowMs,
    ...(input.contextIp !== undefined && { contextIp: input.contextIp }),
  });
  const rows = trackRows(input.events, {
    browser,
    ...(input.consent && { consent: input.consent }),
    requireAdConsent: settings.requireAdConsent,
    now: Math.floor(input.nowMs / 1000),
    livemode: settings.livemode,
    origin: input.origin,
  }, settings.names);
  return enqueue(db, rows);
}

/**
 * The click ids of the page the events name: a page on another origin than the functions sends only
 * its origin as Referer, so its `?fbclid=` / `?ttclid=` would otherwise be lost.
 */
function clickIds(events: readonly TrackEvent[]): PageFields {
  const page = events.find((event) => event.event_source_url)?.event_source_url;
  if (!page) return {};
  const query = new URL(page).searchParams;
  const fields: PageFields = {};
  for (const key of ['fbclid', 'ttclid'] as const) {
    const value = query.get(key);
    if (value) fields[key] = value;
  }
  return fields;
}
