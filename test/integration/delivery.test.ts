import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness, testNowSeconds } from '../support/harness.ts';
import { loadEvent, withChanges } from '../support/stripe-sign.ts';
import { tiktokEventsSent as tiktokEvents, metaEventsSent as metaEvents } from '../support/fake-platforms.ts';

const USD_PAID = 'checkout.session.completed.payment.usd.paid';
const SESSION = loadEvent(USD_PAID).data.object.id;

type TikTokBody = { test_event_code?: string; data: { event: string; event_id: string }[] };
type MetaBody = { test_event_code?: string; data: { event_name: string; event_id: string }[] };

describe.skipIf(!hasPostgres)('conversion delivery on PostgreSQL', () => {
  const h = useHarness();

  const statuses = async () =>
    Object.fromEntries(
      (await h.tdb.sql`select destination, status from conversion_outbox order by destination`).map((r) => [r.destination, r.status]),
    );
  const makeDue = () => h.tdb.sql`update conversion_outbox set next_attempt_at = now() where status = 'pending'`;

  it('delivers after the response, with the session id as event_id and the test event code', async () => {
    const res = await h.post(loadEvent(USD_PAID));
    expect(res.status).toBe(200);
    await h.settle();
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`CompletePayment:${SESSION}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`Purchase:${SESSION}`]);
    expect((h.tiktok.requests[0]!.body as TikTokBody).test_event_code).toBe('TEST_TIKTOK');
    expect((h.meta.requests[0]!.body as MetaBody).test_event_code).toBe('TEST_META');
    expect(await statuses()).toEqual({ meta: 'delivered', tiktok: 'delivered' });
    const traces = await h.tdb.sql`select trace_id from conversion_outbox where trace_id is not null`;
    expect(traces).toHaveLength(2);
  });

  it('sends once per platform however often, and however concurrently, Stripe delivers', async () => {
    const event = loadEvent(USD_PAID);
    const again = withChanges(event, {}, { newId: true });
    const apps = [h.newApp(), h.newApp(), h.newApp()];
    await Promise.all([h.post(event, { app: apps[0] }), h.post(event, { app: apps[1] }), h.post(again, { app: apps[2] })]);
    await h.settle();
    await Promise.all([h.drain(apps[0]), h.drain(apps[1])]);
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`CompletePayment:${SESSION}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`Purchase:${SESSION}`]);
  });

  it('retries a 5xx or rate limit with backoff, then delivers with the same event id and body', async () => {
    h.tiktok.respondWith({ status: 503, body: '<html>Service Unavailable</html>' });
    h.meta.respondWith({ status: 400, body: { error: { message: 'User request limit reached', code: 17, type: 'OAuthException', fbtrace_id: 'T1' } } });
    await h.post(loadEvent(USD_PAID));
    await h.settle();
    const rows = await h.tdb.sql`select destination, status, attempts, last_error, next_attempt_at > now() as later from conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', status: 'pending', attempts: 1, last_error: expect.stringContaining('limit'), later: true },
      { destination: 'tiktok', status: 'pending', attempts: 1, last_error: expect.any(String), later: true },
    ]);
    expect((await h.drain())?.claimed).toBe(0);

    await makeDue();
    await h.drain();
    expect(await statuses()).toEqual({ meta: 'delivered', tiktok: 'delivered' });
    expect(h.tiktok.requests).toHaveLength(2);
    expect(h.tiktok.requests[1]!.body).toEqual(h.tiktok.requests[0]!.body);
    expect(h.meta.requests[1]!.body).toEqual(h.meta.requests[0]!.body);
    expect(await h.count('delivery_attempts')).toBe(4);
  });

  it('dead-letters a permanent rejection with the platform message and never retries it', async () => {
    h.tiktok.respondWith({ status: 200, body: { code: 40002, message: 'Batch.0.properties.currency: Not a valid currency', request_id: 'R1', data: {} } });
    h.meta.respondWith({
      status: 400,
      body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2804009, error_user_msg: 'Missing Value for Purchase Event', fbtrace_id: 'T2' } },
    });
    await h.post(loadEvent(USD_PAID));
    await h.settle();
    const rows = await h.tdb.sql`select destination, status, last_error, platform_code from conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', status: 'dead', last_error: 'Missing Value for Purchase Event', platform_code: '100/2804009' },
      { destination: 'tiktok', status: 'dead', last_error: expect.stringContaining('Not a valid currency'), platform_code: '40002' },
    ]);
    await h.tdb.sql`update conversion_outbox set next_attempt_at = now() - interval '1 hour'`;
    await h.drain();
    expect(h.tiktok.requests).toHaveLength(1);
    expect(h.meta.requests).toHaveLength(1);
  });

  it('isolates a bad event so the rest of its batch is delivered', async () => {
    const events = ['usd.paid', 'kwd.paid'].map((k) => loadEvent(`checkout.session.completed.payment.${k}` as typeof USD_PAID));
    const trial = loadEvent('checkout.session.completed.subscription.usd.trialing');
    // Recorded while both platforms are off, then queued again: the drain sends them as one batch.
    const off = h.newApp({ TIKTOK_PIXEL_ID: '', META_PIXEL_ID: '' });
    for (const e of [...events, trial]) await h.post(e, { app: off });
    await h.settle();
    await h.tdb.sql`update conversion_outbox set status = 'pending', attempts = 0, last_error = null, next_attempt_at = now()`;
    const bad = trial.data.object.id;
    h.tiktok.respondBy((req) =>
      JSON.stringify(req.body).includes(bad)
        ? { status: 200, body: { code: 40002, message: 'Batch.0.event: Not a valid event', request_id: 'R', data: {} } }
        : undefined,
    );
    await h.drain();
    const tiktok = await h.tdb.sql`select event_id, status from conversion_outbox where destination = 'tiktok' order by event_id`;
    expect(tiktok.filter((r) => r.status === 'dead').map((r) => r.event_id)).toEqual([bad]);
    expect(tiktok.filter((r) => r.status === 'delivered')).toHaveLength(2);
    expect(h.tiktok.requests[0]!.body).toMatchObject({ data: expect.arrayContaining([expect.anything(), expect.anything(), expect.anything()]) });
  });

  it("splits a TikTok partial success in halves until the rejected event stands alone; the rest is delivered", async () => {
    const off = h.newApp({ TIKTOK_PIXEL_ID: '', META_PIXEL_ID: '' });
    const events = [loadEvent(USD_PAID), loadEvent('checkout.session.completed.payment.kwd.paid')];
    for (const e of events) await h.post(e, { app: off });
    await h.settle();
    await h.tdb.sql`update conversion_outbox set status = 'pending', attempts = 0, last_error = null, next_attempt_at = now() where destination = 'tiktok'`;
    const bad = events[1]!.data.object.id;
    h.tiktok.respondBy((req) => {
      const data = (req.body as TikTokBody).data;
      if (data.length > 1) return { status: 200, body: { code: 20001, message: 'Partial success: 1 event(s) failed.', request_id: 'P', data: {} } };
      return data[0]!.event_id === bad
        ? { status: 200, body: { code: 40002, message: 'Batch.0.user.email: Not a valid hash', request_id: 'Q', data: {} } }
        : undefined;
    });
    await h.drain();
    const rows = await h.tdb.sql`select event_id, status from conversion_outbox where destination = 'tiktok' order by event_id`;
    expect(Object.fromEntries(rows.map((r) => [r.event_id, r.status]))).toEqual({
      [events[0]!.data.object.id]: 'delivered',
      [bad]: 'dead',
    });
    expect(h.tiktok.requests).toHaveLength(3);
  });

  it('sends the event name stored with the row, even after the setting changed', async () => {
    await h.post(loadEvent(USD_PAID), { app: h.newApp({ TIKTOK_PURCHASE_EVENT: 'Purchase', TIKTOK_PIXEL_ID: '', META_PIXEL_ID: '' }) });
    await h.settle();
    await h.tdb.sql`update conversion_outbox set status = 'pending', attempts = 0, next_attempt_at = now()`;
    await h.drain(); // configured with the default, CompletePayment
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`Purchase:${SESSION}`]);
  });

  it('skips test-mode events when no test event code is set, and off destinations, without a request', async () => {
    const app = h.newApp({ TIKTOK_TEST_EVENT_CODE: '', META_ACCESS_TOKEN: '' });
    await h.post(loadEvent(USD_PAID), { app });
    await h.settle();
    expect(h.tiktok.requests).toHaveLength(0);
    expect(h.meta.requests).toHaveLength(0);
    const rows = await h.tdb.sql`select destination, status, last_error from conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', status: 'skipped', last_error: 'meta is off: no pixel id or access token' },
      { destination: 'tiktok', status: 'skipped', last_error: 'Stripe test-mode event and no tiktok test event code' },
    ]);
    const dryRun = h.logs.find((l) => l.includes('dry-run'));
    expect(dryRun).toContain(SESSION);
  });

  it('does not send, nor keep identifiers, when ad consent is denied', async () => {
    const denied = withChanges(loadEvent(USD_PAID), { data: { object: { metadata: { ad_consent: 'denied' } } } });
    await h.post(denied);
    await h.settle();
    await h.drain();
    expect(h.tiktok.requests).toHaveLength(0);
    expect(h.meta.requests).toHaveLength(0);
    expect(await h.tdb.sql`select status, payload, last_error from conversion_outbox`).toEqual([
      { status: 'skipped', payload: null, last_error: 'ad_consent denied' },
      { status: 'skipped', payload: null, last_error: 'ad_consent denied' },
    ]);
  });

  it('dead-letters an event older than the platform accepts without calling it', async () => {
    const old = withChanges(loadEvent(USD_PAID), { created: testNowSeconds() - 8 * 86_400 });
    await h.post(old);
    await h.settle();
    expect(h.tiktok.requests).toHaveLength(0);
    expect(h.meta.requests).toHaveLength(0);
    expect(await h.count('conversion_outbox', "status = 'dead' and last_error like 'expired:%'")).toBe(2);
  });

  it('retries a platform that does not answer in time', async () => {
    const app = h.newApp({ DELIVERY_TIMEOUT_MS: '200' });
    h.tiktok.respondWith({ status: 200, body: { code: 0, message: 'OK', request_id: 'late', data: {} }, delayMs: 1000 });
    await h.post(loadEvent(USD_PAID), { app });
    await h.settle();
    const [row] = await h.tdb.sql`select status, last_error from conversion_outbox where destination = 'tiktok'`;
    expect(row).toEqual({ status: 'pending', last_error: expect.stringMatching(/timed out after 200 ms/) });
  });

  it('reclaims rows whose worker died mid-send once the lease runs out', async () => {
    await h.post(loadEvent(USD_PAID), { app: h.newApp({ META_PIXEL_ID: '', TIKTOK_PIXEL_ID: '' }) });
    await h.settle();
    await h.tdb.sql`update conversion_outbox set status = 'pending', attempts = 0, next_attempt_at = now()`;
    // A worker claims and vanishes.
    const claimed = await (await h.newApp().db()).call<{ rows: unknown[] }>('outbox_claim', { limit: 10, lease_seconds: 60 });
    expect(claimed.rows).toHaveLength(2);
    expect((await h.drain())?.claimed).toBe(0);
    await h.tdb.sql`update conversion_outbox set locked_until = now() - interval '1 second'`;
    const report = await h.drain();
    expect(report).toMatchObject({ claimed: 2, delivered: 2 });
    expect(await h.tdb.sql`select attempts from conversion_outbox`).toEqual([{ attempts: 2 }, { attempts: 2 }]);
  });

  it('two drainers running at once never take the same row', async () => {
    await h.post(loadEvent(USD_PAID), { app: h.newApp({ META_PIXEL_ID: '', TIKTOK_PIXEL_ID: '' }) });
    await h.settle();
    // 150 due conversions per platform, cloned from the real one with distinct event ids.
    await h.tdb.sql`
      insert into conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
      select o.destination, o.event_name, 'cs_test_clone_' || g, o.kind, o.livemode,
             jsonb_set(jsonb_set(o.payload, '{eventId}', to_jsonb('cs_test_clone_' || g)), '{orderId}', to_jsonb('cs_test_clone_' || g)),
             o.event_time, o.source_event_id
        from conversion_outbox o cross join generate_series(1, 150) g`;
    const apps = [h.newApp({ DELIVERY_BATCH_SIZE: '7' }), h.newApp({ DELIVERY_BATCH_SIZE: '7' })];
    const reports = await Promise.all(apps.map((app) => h.drain(app)));
    expect(reports.map((r) => r!.claimed).reduce((a, b) => a + b, 0)).toBe(300);
    expect(reports.every((r) => r!.claimed > 0)).toBe(true);
    const sent = [...tiktokEvents(h.tiktok.requests), ...metaEvents(h.meta.requests)];
    expect(sent).toHaveLength(300);
    expect(new Set(sent).size).toBe(300);
    expect(await h.count('conversion_outbox', "status = 'delivered'")).toBe(300);
  });

  it('never stores or logs raw personal data', async () => {
    await h.post(loadEvent(USD_PAID), { app: h.newApp({ META_ACCESS_TOKEN: '' }) });
    await h.settle();
    const outbox = JSON.stringify(await h.tdb.sql`select * from conversion_outbox`);
    const logs = h.logs.join('\n');
    for (const raw of ['zoe.angstrom@example.com', '+46701234567', '46701234567', 'Zoë', 'Ångström', 'Malmö', '211 22', '21122']) {
      expect(outbox).not.toContain(raw);
      expect(logs).not.toContain(raw);
    }
    for (const secret of ['tiktok-test-token', 'meta-test-token', 'whsec_test_secret_for_unit_tests_only', 'sk_test_harness']) {
      expect(logs).not.toContain(secret);
      expect(outbox).not.toContain(secret);
    }
  });
});
