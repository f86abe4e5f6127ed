import { describe, expect, it } from 'vitest';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { ingestEvent } from '../../src/webhook/ingest.ts';
import { hasPostgres } from '../support/pg.ts';
import { useHarness, WEBHOOK_URL } from '../support/harness.ts';
import { loadEvent } from '../support/stripe-sign.ts';

const USD_PAID = 'checkout.session.completed.payment.usd.paid';

describe.skipIf(!hasPostgres)('ingestEvent: a verified event, without its request', () => {
  const h = useHarness();

  it('records a parsed event in one call and answers what the webhook would', async () => {
    const deps = webhookDeps(h.newApp());
    const first = await ingestEvent(loadEvent(USD_PAID), deps);
    expect(first).toEqual({
      ok: true,
      event_id: expect.stringMatching(/^evt_/),
      event_type: 'checkout.session.completed',
      outcome: 'processed',
      purchase_status: 'paid',
      deliver: [expect.any(Number), expect.any(Number)],
    });
    const again = await ingestEvent(loadEvent(USD_PAID), deps);
    expect(again).toMatchObject({ ok: true, outcome: 'duplicate', deliver: [] });
    expect(await h.count('purchases')).toBe(1);
  });

  it('refuses what is not an event as invalid, without touching the database', async () => {
    const deps = { ...webhookDeps(h.newApp()), db: () => Promise.reject(new Error('the database must not be opened')) };
    const result = await ingestEvent({ hello: 'world' }, deps);
    expect(result).toMatchObject({ ok: false, reason: 'invalid', event_id: null });
  });

  it('turns a Stripe API outage into a retryable refusal', async () => {
    h.stripe.failNext(500, 2);
    const result = await ingestEvent(loadEvent(USD_PAID), webhookDeps(h.newApp()));
    expect(result).toMatchObject({ ok: false, reason: 'stripe_unavailable', event_type: 'checkout.session.completed' });
    expect(await h.count('stripe_events')).toBe(0);
  });
});

describe.skipIf(!hasPostgres)('the webhook log line', () => {
  const h = useHarness();
  const webhookLines = () =>
    h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'webhook');

  it('is one JSON line per request with ids, outcome, status and duration, and no personal data', async () => {
    const event = loadEvent(USD_PAID);
    await h.post(event);
    await h.post(event);
    await h.post(event, { secret: 'whsec_someone_else' });
    const lines = webhookLines();
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', event_id: event.id, event_type: event.type, outcome: 'processed', status: 200, duration_ms: expect.any(Number) }),
      expect.objectContaining({ level: 'info', event_id: event.id, outcome: 'duplicate', status: 200 }),
      expect.objectContaining({ level: 'warn', outcome: 'signature_rejected', status: 400 }),
    ]);
    const text = h.logs.join('\n');
    expect(text).not.toContain('zoe.angstrom');
    expect(text).not.toMatch(/Ångström|Östra|\+46701234567/);
  });

  it('logs a method other than POST too', async () => {
    const { handleStripeWebhook } = await import('../../src/webhook/handle.ts');
    await handleStripeWebhook(new Request(WEBHOOK_URL), webhookDeps(h.newApp()));
    expect(webhookLines()).toEqual([expect.objectContaining({ outcome: 'method_not_allowed', status: 405 })]);
  });
});

describe.skipIf(!hasPostgres)('the webhook log line when reading the request fails', () => {
  const h = useHarness();

  it('is still written, and the answer is 500', async () => {
    const { handleStripeWebhook } = await import('../../src/webhook/handle.ts');
    const body = new ReadableStream({ pull: (controller) => controller.error(new Error('connection reset')) });
    const req = new Request(WEBHOOK_URL, { method: 'POST', body, duplex: 'half' } as RequestInit);
    const { response } = await handleStripeWebhook(req, webhookDeps(h.newApp()));
    expect(response.status).toBe(500);
    const lines = h.logs.map((line) => JSON.parse(line) as Record<string, unknown>).filter((line) => line.msg === 'webhook');
    expect(lines).toEqual([expect.objectContaining({ level: 'error', outcome: 'error', status: 500, error: expect.stringContaining('connection reset') })]);
  });
});
