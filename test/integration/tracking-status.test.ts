import { describe, expect, it } from 'vitest';
import type { Context } from '@netlify/functions';
import trackingStatus from '../../netlify/functions/tracking-status.ts';
import { setApp, type App } from '../../src/app.ts';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { loadEvent } from '../support/stripe-sign.ts';

const TOKEN = 'status-token-for-tests-0123456789';
const URL_ = 'http://127.0.0.1/.netlify/functions/tracking-status';
const USD = loadEvent('checkout.session.completed.payment.usd.paid');
const KWD = loadEvent('checkout.session.completed.payment.kwd.paid');
const SUB = loadEvent('checkout.session.completed.subscription.eur.paid');

type Body = {
  destinations: Record<string, {
    state: string; counts: Record<string, number>; oldest_due_age_s: number | null; last_delivered_at: string | null;
    last_failure: Record<string, unknown> | null; daily: Record<string, number | string>[];
  }>;
  stripe: { events_24h: Record<string, number>; last_event_at: string | null; purchases: Record<string, number> };
};

describe.skipIf(!hasPostgres)('GET tracking-status', () => {
  const h = useHarness(undefined, { STATUS_TOKEN: TOKEN });

  async function get(app: App, headers: Record<string, string> = { authorization: `Bearer ${TOKEN}` }, method = 'GET') {
    setApp(app);
    const res = await trackingStatus(new Request(URL_, { method, headers }), {} as Context);
    return { status: res.status, headers: res.headers, body: (await res.json()) as Body & { error?: string } };
  }

  it('is off (404) while STATUS_TOKEN is unset, whatever the request carries', async () => {
    const res = await get(h.newApp({ STATUS_TOKEN: '' }));
    expect(res.status).toBe(404);
    expect(res.headers.get('cache-control')).toBe('no-store');
  });

  it.each([
    ['no Authorization header', {}],
    ['a wrong token', { authorization: 'Bearer not-the-token-but-long-enough' }],
    ['the right token one character short', { authorization: `Bearer ${TOKEN.slice(0, -1)}` }],
    ['Basic instead of Bearer', { authorization: `Basic ${TOKEN}` }],
    ['the bare token', { authorization: TOKEN }],
    ['the token in another header', { 'x-status-token': TOKEN }],
  ])('answers 401 to %s', async (_name, headers: Record<string, string>) => {
    const res = await get(h.newApp(), headers);
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
    expect(JSON.stringify(res.body)).not.toContain(TOKEN);
  });

  it('decides 404 and 401 before opening the database; a database that is down is 503', async () => {
    const down = { DATABASE_URL: 'postgres://postgres@127.0.0.1:1/nowhere' };
    expect((await get(h.newApp({ ...down, STATUS_TOKEN: '' }))).status).toBe(404);
    expect((await get(h.newApp(down), {})).status).toBe(401);
    const res = await get(h.newApp(down));
    expect(res.status).toBe(503);
    expect(res.body).toEqual({ error: 'database unavailable' });
  });

  it('answers 405 to a POST with the right token', async () => {
    expect((await get(h.newApp(), undefined, 'POST')).status).toBe(405);
  });

  it('states each destination from its settings', async () => {
    const test = await get(h.newApp());
    expect([test.body.destinations.tiktok?.state, test.body.destinations.meta?.state]).toEqual(['test-only', 'test-only']);
    const live = await get(h.newApp({ STRIPE_SECRET_KEY: 'sk_live_status', META_ACCESS_TOKEN: '' }));
    expect([live.body.destinations.tiktok?.state, live.body.destinations.meta?.state]).toEqual(['on', 'off']);
  });

  it('counts match the rows after deliveries, a retry, a dead letter and skips', async () => {
    // USD: both delivered. KWD: Meta is rate limited (retried later), TikTok refuses it for good.
    // The subscription arrives while Meta is off: its two Meta conversions are skipped.
    await h.post(USD);
    await h.settle();
    h.meta.respondWith({ status: 400, body: { error: { message: 'User request limit reached', code: 17, type: 'OAuthException', fbtrace_id: 'TraceLimit' } } });
    h.tiktok.respondBy((req) => (JSON.stringify(req.body).includes(KWD.data.object.id)
      ? { status: 200, body: { code: 40002, message: 'Invalid value for currency', request_id: 'ReqKwd', data: {} } } : undefined));
    await h.post(KWD);
    await h.settle();
    await h.post(SUB, { app: h.newApp({ META_ACCESS_TOKEN: '' }) });
    await h.settle();

    const res = await get(h.newApp());
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const rows = await h.tdb.sql`select destination, status, count(*)::int as n from conversion_outbox group by 1, 2`;
    for (const name of ['tiktok', 'meta']) {
      const expected = { held: 0, pending: 0, sending: 0, delivered: 0, skipped: 0, dead: 0, cancelled: 0 } as Record<string, number>;
      for (const r of rows.filter((r) => r.destination === name)) expected[r.status as string] = r.n as number;
      expect(res.body.destinations[name]?.counts).toEqual(expected);
    }
    const { meta, tiktok } = res.body.destinations as Required<Body['destinations']>;
    expect(meta!.counts).toMatchObject({ delivered: 1, pending: 1, skipped: 2 });
    expect(tiktok!.counts).toMatchObject({ delivered: 3, dead: 1 });

    // The retry is not due yet; once it is, its age shows.
    expect(meta!.oldest_due_age_s).toBeNull();
    await h.tdb.sql`update conversion_outbox set next_attempt_at = now() - interval '90 seconds' where status = 'pending'`;
    const later = (await get(h.newApp())).body.destinations.meta!;
    expect(later.oldest_due_age_s).toBeGreaterThanOrEqual(90);
    expect(later.oldest_due_age_s).toBeLessThan(600);

    expect(meta!.last_failure).toMatchObject({ event_name: 'Purchase', outcome: 'retryable', trace_id: 'TraceLimit', reason: expect.stringContaining('limit') });
    expect(tiktok!.last_failure).toMatchObject({ event_name: 'CompletePayment', outcome: 'permanent', reason: expect.stringContaining('currency') });
    expect(Date.parse(tiktok!.last_delivered_at!)).toBeGreaterThan(Date.now() - 600_000);

    const today = (name: string) => res.body.destinations[name]!.daily.at(-1);
    expect(res.body.destinations.meta!.daily).toHaveLength(14);
    expect(today('meta')).toMatchObject({ delivered: 1, retrying: 1, dead: 0, skipped: 2 });
    expect(today('tiktok')).toMatchObject({ delivered: 3, retrying: 0, dead: 1, skipped: 0 });

    expect(res.body.stripe.events_24h).toEqual({ processed: 3, ignored: 0 });
    expect(res.body.stripe.purchases).toMatchObject({ paid: 3, pending: 0 });
    expect(res.body.stripe.last_event_at).toEqual(expect.any(String));
  });
});
