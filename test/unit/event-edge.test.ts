import { describe, expect, it } from 'vitest';
import { HANDLED_EVENTS } from '../../src/webhook/command-for-event.ts';
import { cleanText, MAX_DEPTH, sanitizeJson } from '../../src/webhook/sanitize.ts';
import { validateEvent } from '../../src/webhook/schema/event.ts';
import { fixtureNames, loadEvent } from '../support/stripe-sign.ts';
import { EUR_CHARGE, disputeClosedEvent, eurSubscription, invoice, refundEvent, subscriptionEvent, T0 } from '../support/lifecycle-events.ts';

describe('cleanText', () => {
  it.each([
    ['a\u0000b', 'ab'],
    ['\uD800', '\uFFFD'],
    ['\uDC00x', '\uFFFDx'],
    ['x\uD83D\uD83D\uDE00', 'x\uFFFD😀'],
    ['😀👩🏽‍💻 שלום مرحبا', '😀👩🏽‍💻 שלום مرحبا'],
    ['', ''],
  ])('%j → %j', (input, expected) => {
    expect(cleanText(input)).toBe(expected);
  });
});

describe('sanitizeJson', () => {
  it('cleans every string and key, keeps numbers, booleans and null, and never mutates its input', () => {
    const input = { 'k\u0000': ['\uD800', 1, true, null, { deep: 'x\u0000' }] };
    const frozen = structuredClone(input);
    expect(sanitizeJson(input)).toEqual({ ok: true, value: { k: ['\uFFFD', 1, true, null, { deep: 'x' }] } });
    expect(input).toEqual(frozen);
  });

  it('gives an event with nothing to clean back as itself, uncopied', () => {
    const event = loadEvent('checkout.session.completed.payment.usd.paid');
    expect(sanitizeJson(event)).toEqual({ ok: true, value: event });
    expect((sanitizeJson(event) as { value: unknown }).value).toBe(event);
  });

  it('keeps a "__proto__" key as data', () => {
    const result = sanitizeJson(JSON.parse('{"__proto__":{"polluted":true}}'));
    expect(result.ok && Object.getPrototypeOf(result.value)).toBe(Object.prototype);
    expect(result.ok && Object.keys(result.value as object)).toEqual(['__proto__']);
  });

  it(`accepts ${MAX_DEPTH} levels and refuses more, however deep`, () => {
    const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth));
    expect(sanitizeJson(nested(MAX_DEPTH)).ok).toBe(true);
    for (const depth of [MAX_DEPTH + 1, 5_000, 1_000_000]) {
      expect(sanitizeJson(nested(depth))).toEqual({ ok: false, reason: `nested deeper than ${MAX_DEPTH} levels` });
    }
  });
});

describe('validateEvent', () => {
  it.each(fixtureNames)('accepts the fixture %s', (name) => {
    expect(validateEvent(loadEvent(name))).toMatchObject({ ok: true });
  });

  it('accepts the lifecycle builders’ events', () => {
    const events = [
      subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due' }), T0 + 60),
      refundEvent(EUR_CHARGE, 1900, T0 + 60),
      disputeClosedEvent({ ...EUR_CHARGE, disputeId: 'dp_1' }, 'won', T0 + 60),
    ];
    const paid = invoice({ id: 'in_1Renewal', subscription: 'eur', billingReason: 'subscription_cycle', period: { start: T0, end: T0 + 86_400 }, paid: true });
    events.push({ ...loadEvent('invoice.paid.subscription_create.eur'), data: { object: paid } } as never);
    for (const event of events) expect(validateEvent(event)).toMatchObject({ ok: true });
  });

  it('has an object schema for every handled event type', () => {
    for (const type of HANDLED_EVENTS) {
      const event = { ...loadEvent('customer.created'), type };
      expect(validateEvent(event), type).toMatchObject({ ok: false, reason: expect.stringMatching(/^data\.object\./) });
    }
  });

  it('accepts an unhandled type with any object, and names the id and type of what it refuses', () => {
    expect(validateEvent({ ...loadEvent('customer.created'), type: 'product.created' })).toMatchObject({ ok: true });
    expect(validateEvent({ ...loadEvent('customer.created'), created: 1.5 })).toEqual({
      ok: false,
      reason: 'created: must be whole unix seconds',
      event_id: loadEvent('customer.created').id,
      event_type: 'customer.created',
    });
  });
});
