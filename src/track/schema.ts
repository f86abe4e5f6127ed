import * as z from 'zod/mini';
import { isTrackableName, SERVER_ONLY_EVENTS, TRACKABLE_EVENTS, type TrackableName } from './event-names.ts';

/**
 * The body of a `track` request: one event, or `{ events: [...] }` with at most 20. A batch is
 * accepted or refused whole, and every refusal names the event's index and field.
 */
export const MAX_EVENTS = 20;

const text = (max: number) => z.string().check(z.minLength(1), z.maxLength(max));
const EVENT_ID = /^[A-Za-z0-9_.:-]{1,100}$/;
const EVENT_ID_RULE = '1 to 100 characters of A-Z a-z 0-9 _ . : -';

const userData = z.strictObject({
  email: z.optional(text(320)),
  phone: z.optional(text(40)),
  external_id: z.optional(text(200)),
  first_name: z.optional(text(200)),
  last_name: z.optional(text(200)),
});

const content = z.strictObject({
  id: text(200),
  quantity: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(10_000))),
  item_price: z.optional(z.number().check(z.minimum(0), z.maximum(1e9))),
});

const customData = z.strictObject({
  value: z.optional(z.number().check(z.minimum(0), z.maximum(1e9))),
  currency: z.optional(z.string().check(z.regex(/^[A-Za-z]{3}$/, 'must be a 3-letter ISO 4217 code'))),
  content_ids: z.optional(z.array(text(200)).check(z.maxLength(50))),
  content_type: z.optional(z.enum(['product', 'product_group'])),
  contents: z.optional(z.array(content).check(z.maxLength(50))),
  search_string: z.optional(text(500)),
});

const eventSchema = z.strictObject({
  event_name: z.string({ error: 'required: a Meta standard event name, e.g. Lead' }),
  event_id: z
    .string({ error: `required: ${EVENT_ID_RULE}, shared with the pixels` })
    .check(z.regex(EVENT_ID, `must be ${EVENT_ID_RULE}`)),
  event_source_url: z.optional(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).check(z.maxLength(2000))),
  user_data: z.optional(userData),
  custom_data: z.optional(customData),
  consent: z.optional(z.enum(['granted', 'denied'])),
});

type RawEvent = z.infer<typeof eventSchema>;
export type TrackEvent = Omit<RawEvent, 'event_name'> & { event_name: TrackableName };

export type ParsedBody = { ok: true; events: TrackEvent[] } | { ok: false; error: string };

/** Validates a parsed JSON body; the error is one line naming where the first problem is. */
export function parseTrackBody(body: unknown): ParsedBody {
  const batch = isObject(body) && 'events' in body;
  if (batch) {
    const { events, ...rest } = body;
    const extra = Object.keys(rest);
    if (extra.length > 0) return fail(`unknown field ${extra[0]} next to events`);
    if (!Array.isArray(events)) return fail('events: must be an array of events');
    if (events.length === 0) return fail('events: must hold at least one event');
    if (events.length > MAX_EVENTS) return fail(`events[${MAX_EVENTS}]: at most ${MAX_EVENTS} events per request (got ${events.length})`);
  }
  const raw: unknown[] = batch ? (body.events as unknown[]) : [body];
  const parsed: TrackEvent[] = [];
  for (const [index, item] of raw.entries()) {
    const where = batch ? `events[${index}]` : '';
    const result = parseEvent(item);
    if (typeof result === 'string') return fail(where ? `${where}.${result}` : result);
    parsed.push(result);
  }
  return { ok: true, events: parsed };
}

/** One event, or the problem as `field: message`. */
export function parseEvent(item: unknown): TrackEvent | string {
  if (!isObject(item)) return 'event: must be a JSON object';
  const result = eventSchema.safeParse(item);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    const field = issue.path.reduce<string>((at, key) => (typeof key === 'number' ? `${at}[${key}]` : at ? `${at}.${String(key)}` : String(key)), '');
    return `${field || 'event'}: ${issue.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue.message}`;
  }
  const event = result.data;
  const name = event.event_name;
  if (SERVER_ONLY_EVENTS.includes(name)) {
    return `event_name: ${name} is sent by the server from Stripe's webhook; a browser may not report revenue`;
  }
  if (!isTrackableName(name)) return `event_name: unknown event ${JSON.stringify(name.slice(0, 60))}; accepted: ${Object.keys(TRACKABLE_EVENTS).join(', ')}`;
  // Stripe ids are the event ids of the server's own conversions; a browser event must not take one.
  if (/^(cs|in)_/.test(event.event_id)) return 'event_id: cs_… and in_… are reserved for the server\'s conversions';
  const custom = event.custom_data;
  if (custom?.value !== undefined && custom.currency === undefined) return 'custom_data.currency: required with value';
  return { ...event, event_name: name };
}

function fail(error: string): ParsedBody {
  return { ok: false, error };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
