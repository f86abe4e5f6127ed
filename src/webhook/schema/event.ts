import type Stripe from 'stripe';
import * as z from 'zod/mini';
import { CHECKOUT_EVENTS } from '../../provisioning/checkout.ts';
import { CHARGE_EVENTS } from '../../provisioning/charge.ts';
import { INVOICE_EVENTS } from '../../provisioning/invoice.ts';
import { SUBSCRIPTION_EVENTS } from '../../provisioning/subscription.ts';
import { flag, idWith, optionalText, unixSeconds } from './fields.ts';
import { charge, checkoutSession, dispute, invoice, subscription } from './objects.ts';

/** The envelope every event must have, whatever its type: it is what stripe_events records. */
const envelope = z.looseObject({
  object: z.literal('event', 'must be "event"'),
  id: idWith('evt_').check(z.maxLength(255, 'must be at most 255 characters')),
  type: z.string('must be an event type').check(z.minLength(1, 'must be an event type'), z.maxLength(255, 'must be at most 255 characters')),
  created: unixSeconds,
  livemode: flag,
  api_version: optionalText,
  data: z.looseObject({ object: z.looseObject({}, 'must be an object') }, 'must be an object'),
}, 'must be a Stripe event object');

const OBJECT_SCHEMAS: ReadonlyMap<string, z.ZodMiniType> = new Map<string, z.ZodMiniType>([
  ...CHECKOUT_EVENTS.map((type) => [type, checkoutSession] as const),
  ...SUBSCRIPTION_EVENTS.map((type) => [type, subscription] as const),
  ...INVOICE_EVENTS.map((type) => [type, invoice] as const),
  ...CHARGE_EVENTS.map((type) => [type, type === 'charge.refunded' ? charge : dispute] as const),
]);

export type Validated = { ok: true; event: Stripe.Event } | { ok: false; reason: string; event_id: string | null; event_type: string | null };

/**
 * Pure: whether a (sanitized) parsed event can be processed. The envelope always; the object in the
 * shape its type's mapping reads, for the handled types (the others are only recorded).
 */
export function validateEvent(value: unknown): Validated {
  const ids = eventIds(value);
  const outer = envelope.safeParse(value);
  if (!outer.success) return { ok: false, reason: describe(outer.error.issues), ...ids };
  const schema = OBJECT_SCHEMAS.get(outer.data.type);
  const inner = schema?.safeParse(outer.data.data.object);
  if (inner && !inner.success) return { ok: false, reason: describe(inner.error.issues, ['data', 'object']), ...ids };
  return { ok: true, event: value as Stripe.Event };
}

/** The first few problems, each as `path: what was expected`; bounded, as a path may hold any key. */
function describe(issues: readonly z.core.$ZodIssue[], prefix: PropertyKey[] = []): string {
  const text = issues
    .slice(0, 3)
    .map((issue) => `${[...prefix, ...issue.path].map(String).join('.') || 'event'}: ${issue.message}`)
    .join('; ');
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

/** For the log line of a refused event: its id and type when they are at least text. */
export function eventIds(value: unknown): { event_id: string | null; event_type: string | null } {
  const field = (key: string) => {
    const v = value && typeof value === 'object' ? (value as Record<string, unknown>)[key] : undefined;
    return typeof v === 'string' ? v.slice(0, 255) : null;
  };
  return { event_id: field('id'), event_type: field('type') };
}
