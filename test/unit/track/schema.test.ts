import { describe, expect, it } from 'vitest';
import { parseTrackBody } from '../../../src/track/schema.ts';

const lead = { event_name: 'Lead', event_id: 'ev-1' };
const error = (body: unknown) => {
  const result = parseTrackBody(body);
  return result.ok ? 'accepted' : result.error;
};

describe('parseTrackBody', () => {
  it('accepts one event and a batch', () => {
    expect(parseTrackBody(lead)).toEqual({ ok: true, events: [lead] });
    const batch = parseTrackBody({ events: [lead, { ...lead, event_name: 'AddToCart', event_id: 'ev-2' }] });
    expect(batch.ok && batch.events.map((e) => e.event_name)).toEqual(['Lead', 'AddToCart']);
  });

  it('refuses Purchase and CompletePayment: revenue is the server’s', () => {
    expect(error({ ...lead, event_name: 'Purchase' })).toMatch(/^event_name: Purchase is sent by the server/);
    expect(error({ events: [lead, { ...lead, event_name: 'CompletePayment' }] })).toMatch(/^events\[1\]\.event_name: CompletePayment is sent by the server/);
  });

  it.each([
    [{ ...lead, event_name: 'Lunch' }, /^event_name: unknown event "Lunch"; accepted: ViewContent, /],
    [{ ...lead, event_name: 'lead' }, /^event_name: unknown event "lead"/],
    [{ event_name: 'Lead' }, /^event_id: required: 1 to 100 characters/],
    [{ event_id: 'x' }, /^event_name: required: a Meta standard event name/],
    [{ ...lead, event_id: '' }, /^event_id: must be 1 to 100 characters/],
    [{ ...lead, event_id: 'a'.repeat(101) }, /^event_id: must be 1 to 100 characters/],
    [{ ...lead, event_id: 'has space' }, /^event_id: must be 1 to 100 characters/],
    [{ ...lead, event_id: 'cs_test_123' }, /^event_id: cs_… and in_… are reserved/],
    [{ ...lead, extra: 1 }, /^event: unknown field extra/],
    [{ ...lead, user_data: { mail: 'x' } }, /^user_data: unknown field mail/],
    [{ ...lead, custom_data: { value: 'ten', currency: 'EUR' } }, /^custom_data\.value: /],
    [{ ...lead, custom_data: { value: 10 } }, /^custom_data\.currency: required with value/],
    [{ ...lead, custom_data: { currency: 'euro' } }, /^custom_data\.currency: must be a 3-letter ISO 4217 code/],
    [{ ...lead, custom_data: { contents: [{ quantity: 1 }] } }, /^custom_data\.contents\[0\]\.id: /],
    [{ ...lead, event_source_url: 'javascript:alert(1)' }, /^event_source_url: must be an http\(s\) URL/],
    [{ ...lead, consent: 'maybe' }, /^consent: /],
    ['Lead', /^event: must be a JSON object/],
    [[lead], /^event: must be a JSON object/],
    [{ events: [] }, /^events: must hold at least one event/],
    [{ events: lead }, /^events: must be an array/],
    [{ events: [lead], consent: 'granted' }, /^unknown field consent next to events/],
  ])('refuses %j', (body, message) => {
    expect(error(body)).toMatch(message);
  });

  it('names the index of the bad event and refuses the batch whole', () => {
    const events = [lead, { ...lead, event_id: 'ok-2' }, { ...lead, event_id: 'bad id' }];
    expect(error({ events })).toBe('events[2].event_id: must be 1 to 100 characters of A-Z a-z 0-9 _ . : -');
  });

  it('refuses more than 20 events, naming the 21st', () => {
    const events = Array.from({ length: 21 }, (_, i) => ({ ...lead, event_id: `ev-${i}` }));
    expect(error({ events })).toBe('events[20]: at most 20 events per request (got 21)');
    expect(error({ events: events.slice(0, 20) })).toBe('accepted');
  });
});
