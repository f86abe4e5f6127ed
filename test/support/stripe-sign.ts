/**
 * Test helpers for Stripe webhook deliveries: load the event fixtures in test/fixtures/stripe, derive
 * variants, serialise them and sign them with the real HMAC (Stripe.webhooks.generateTestHeaderString).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Stripe from 'stripe';

const FIXTURE_DIR = new URL('../fixtures/stripe/', import.meta.url);

/** Every fixture file (without `.json`) and the event type it holds. */
export interface FixtureEvents {
  'checkout.session.completed.payment.usd.paid': Stripe.CheckoutSessionCompletedEvent;
  'checkout.session.completed.subscription.eur.paid': Stripe.CheckoutSessionCompletedEvent;
  'invoice.paid.subscription_create.eur': Stripe.InvoicePaidEvent;
  'customer.subscription.created.trialing.usd': Stripe.CustomerSubscriptionCreatedEvent;
  'checkout.session.completed.subscription.usd.trialing': Stripe.CheckoutSessionCompletedEvent;
  'checkout.session.completed.payment.jpy.unpaid-konbini': Stripe.CheckoutSessionCompletedEvent;
  'checkout.session.async_payment_succeeded.jpy': Stripe.CheckoutSessionAsyncPaymentSucceededEvent;
  'checkout.session.async_payment_failed.jpy': Stripe.CheckoutSessionAsyncPaymentFailedEvent;
  'checkout.session.expired.usd': Stripe.CheckoutSessionExpiredEvent;
  'checkout.session.completed.payment.kwd.paid': Stripe.CheckoutSessionCompletedEvent;
  'customer.created': Stripe.CustomerCreatedEvent;
}
export type FixtureName = keyof FixtureEvents;

export const fixtureNames = [
  'checkout.session.completed.payment.usd.paid',
  'checkout.session.completed.subscription.eur.paid',
  'invoice.paid.subscription_create.eur',
  'customer.subscription.created.trialing.usd',
  'checkout.session.completed.subscription.usd.trialing',
  'checkout.session.completed.payment.jpy.unpaid-konbini',
  'checkout.session.async_payment_succeeded.jpy',
  'checkout.session.async_payment_failed.jpy',
  'checkout.session.expired.usd',
  'checkout.session.completed.payment.kwd.paid',
  'customer.created',
] as const satisfies readonly FixtureName[];

/**
 * What a Stripe type looks like on the wire: `Stripe.Decimal` fields (e.g. `unit_amount_decimal`)
 * arrive as strings in webhook payloads and in hand-written API bodies.
 */
export type Wire<T> = T extends Stripe.Decimal
  ? string
  : T extends readonly (infer U)[]
    ? Wire<U>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** A deep partial of the wire shape; arrays and scalars are replaced whole. */
export type DeepPatch<T> = T extends readonly unknown[]
  ? T
  : T extends object
    ? { [K in keyof T]?: DeepPatch<T[K]> | undefined }
    : T;

/** The fixture file's exact text, as Stripe would deliver it (pretty-printed UTF-8 JSON). */
export function rawFixture(name: FixtureName): string {
  return readFileSync(new URL(`${stripJson(name)}.json`, FIXTURE_DIR), 'utf8');
}

/** Reads a fixture and returns a fresh parsed copy (safe to mutate). */
export function loadEvent<N extends FixtureName>(name: N | `${N}.json`): FixtureEvents[N];
export function loadEvent(name: string): Stripe.Event;
export function loadEvent(name: string): Stripe.Event {
  return JSON.parse(readFileSync(new URL(`${stripJson(name)}.json`, FIXTURE_DIR), 'utf8')) as Stripe.Event;
}

/** The request body for an event object (compact JSON; sign exactly this string). */
export function eventBody(event: unknown): string {
  return JSON.stringify(event);
}

/** A `Stripe-Signature` header value for `payload`, signed with `secret` (HMAC-SHA256, scheme v1). */
export function signedHeader(payload: string, secret: string, timestamp?: number): string {
  return Stripe.webhooks.generateTestHeaderString(
    timestamp === undefined ? { payload, secret } : { payload, secret, timestamp },
  );
}

/** A POST as Stripe sends it: raw body, `Stripe-Signature`, JSON content type. */
export function signedRequest(
  url: string,
  body: string,
  secret: string,
  options: { timestamp?: number; headers?: Record<string, string> } = {},
): Request {
  return new Request(url, {
    method: 'POST',
    body,
    headers: {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': signedHeader(body, secret, options.timestamp),
      ...options.headers,
    },
  });
}

/** A fresh, well-formed test event id (`evt_1` + 23 base62 characters). */
export function newEventId(): string {
  return `evt_1${base62(23)}`;
}

export interface ChangeOptions {
  /** `true` gives a fresh `evt_…` id, a string sets that id; default keeps the original id. */
  newId?: boolean | string;
}

/**
 * Deep-clones `event` and applies `patch`: plain objects merge key by key, arrays/scalars/null
 * replace, and a key set to `undefined` is removed.
 */
export function withChanges<E extends Stripe.Event>(event: E, patch: DeepPatch<Wire<E>>, options: ChangeOptions = {}): E {
  const copy = merge(structuredClone(event), patch) as E;
  if (options.newId === true) copy.id = newEventId();
  else if (typeof options.newId === 'string') copy.id = options.newId;
  return copy;
}

function merge(target: unknown, patch: unknown): unknown {
  if (!isPlainObject(patch) || !isPlainObject(target)) return structuredClone(patch);
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) delete target[key];
    else target[key] = merge(target[key], value);
  }
  return target;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function stripJson(name: string): string {
  return name.endsWith('.json') ? name.slice(0, -'.json'.length) : name;
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
function base62(length: number): string {
  let out = '';
  while (out.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < 248 && out.length < length) out += BASE62[byte % 62];
    }
  }
  return out;
}
