import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { loadEvent } from '../support/stripe-sign.ts';
import { metaEventsSent, tiktokEventsSent, type FakeResponse, type RecordedRequest } from '../support/fake-platforms.ts';

const USD_PAID = 'checkout.session.completed.payment.usd.paid';
/** One bad event among 1,000: bisection finds it in at most 1 + 2·ceil(log2 1000) requests. */
const BISECTION_MAX_REQUESTS = 1 + 2 * Math.ceil(Math.log2(1000));

type Body = { data: { event_id: string }[] };
const ids = (req: RecordedRequest) => (req.body as Body).data.map((e) => e.event_id);

describe.skipIf(!hasPostgres)('delivery at scale', () => {
  const h = useHarness();

  /** `perDestination` due rows for each platform: the real webhook's row, cloned with distinct ids. */
  async function backlog(perDestination: number): Promise<void> {
    await h.post(loadEvent(USD_PAID), { app: h.newApp({ TIKTOK_PIXEL_ID: '', META_PIXEL_ID: '' }) });
    await h.settle();
    await h.tdb.sql`
      insert into conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
      select o.destination, o.event_name, 'cs_test_scale_' || g, o.kind, o.livemode,
             jsonb_set(jsonb_set(o.payload, '{eventId}', to_jsonb('cs_test_scale_' || g)), '{orderId}', to_jsonb('cs_test_scale_' || g)),
             o.event_time, o.source_event_id
        from conversion_outbox o cross join generate_series(2, ${perDestination}) g`;
    await h.tdb.sql`update conversion_outbox set status = 'pending', attempts = 0, last_error = null, next_attempt_at = now()`;
  }
  const statusesOf = async (destination: string) =>
    Object.fromEntries(
      (await h.tdb.sql`select status, count(*)::int as n from conversion_outbox where destination = ${destination} group by 1`).map((r) => [r.status, r.n]),
    );
  const deadIds = async (destination: string) =>
    (await h.tdb.sql`select event_id from conversion_outbox where destination = ${destination} and status = 'dead'`).map((r) => r.event_id);

  const BAD = 'cs_test_scale_737';
  const tiktokRejects: FakeResponse = { status: 200, body: { code: 40002, message: 'Batch.0.properties.value: Not a valid number', request_id: 'R', data: {} } };
  const metaRejects: FakeResponse = {
    status: 400,
    body: { error: { message: 'Invalid parameter', type: 'OAuthException', code: 100, error_subcode: 2804019, error_user_msg: 'Invalid value for a parameter', fbtrace_id: 'T' } },
  };

  it('isolates one bad event in a 1,000-event batch by bisection, in ~2·log2(1000)+1 requests per platform', async () => {
    await backlog(1000);
    h.tiktok.respondBy((req) => (ids(req).includes(BAD) ? tiktokRejects : undefined));
    h.meta.respondBy((req) => (ids(req).includes(BAD) ? metaRejects : undefined));
    const report = await h.drain();

    expect(report).toMatchObject({ claimed: 2000, delivered: 1998, permanent: 2, stale: 0 });
    for (const [platform, destination] of [[h.tiktok, 'tiktok'], [h.meta, 'meta']] as const) {
      expect(platform.requests[0] && ids(platform.requests[0])).toHaveLength(1000);
      expect(platform.requests.length).toBeGreaterThan(2);
      expect(platform.requests.length).toBeLessThanOrEqual(BISECTION_MAX_REQUESTS);
      expect(await deadIds(destination)).toEqual([BAD]);
      expect(await statusesOf(destination)).toEqual({ delivered: 999, dead: 1 });
    }
    const [dead] = await h.tdb.sql`select last_error, platform_code from conversion_outbox where destination = 'meta' and status = 'dead'`;
    expect(dead).toEqual({ last_error: 'Invalid value for a parameter', platform_code: '100/2804019' });
  });

  it('resolves a TikTok partial success (20001) by bisection: the failed event dead, the rest delivered', async () => {
    await backlog(1000);
    h.tiktok.respondBy((req) => {
      if (!ids(req).includes(BAD)) return undefined;
      return ids(req).length > 1
        ? { status: 200, body: { code: 20001, message: 'Partial success: 1 event(s) failed.', request_id: 'P', data: {} } }
        : tiktokRejects;
    });
    await h.drain();
    expect(h.tiktok.requests.length).toBeLessThanOrEqual(BISECTION_MAX_REQUESTS);
    expect(await deadIds('tiktok')).toEqual([BAD]);
    expect(await statusesOf('tiktok')).toEqual({ delivered: 999, dead: 1 });
    // Every event reached TikTok in an accepted request at least once.
    expect(new Set(tiktokEventsSent(h.tiktok.requests)).size).toBe(1000);
  });

  it('spends a bounded number of requests on a rejection that is not about one event, and retries the rest later', async () => {
    await backlog(1000);
    h.meta.respondBy(() => metaRejects);
    await h.drain(h.newApp({ TIKTOK_PIXEL_ID: '' }));
    // 1 + 4·ceil(log2 1000) requests at most, never one per row.
    expect(h.meta.requests.length).toBeLessThanOrEqual(41);
    const statuses = await statusesOf('meta');
    expect(statuses.sending).toBeUndefined();
    expect((statuses.dead ?? 0) + (statuses.pending ?? 0)).toBe(1000);
    expect(statuses.pending).toBeGreaterThan(0);
  });

  it('honours a 429 with retry-after: that destination is paused for the run, its rows wait, the other goes on', async () => {
    await backlog(3000);
    h.meta.respondBy(() => ({ status: 429, headers: { 'retry-after': '120' }, body: { error: { message: 'Too many calls', code: 4, type: 'OAuthException', fbtrace_id: 'RL' } } }));
    const report = await h.drain(h.newApp({ DELIVERY_CONCURRENCY: '2' }));

    expect(await statusesOf('tiktok')).toEqual({ delivered: 3000 });
    // Only the claims already made when the 429 came (one per lane at most) reached Meta, or were
    // held back unsent; no claim followed.
    expect(h.meta.requests.length).toBeGreaterThanOrEqual(1);
    expect(h.meta.requests.length).toBeLessThanOrEqual(2);
    const metaClaimed = report!.claimed - 3000;
    expect(metaClaimed).toBeGreaterThanOrEqual(1000);
    expect(metaClaimed).toBeLessThanOrEqual(2000);
    const waiting = await h.tdb.sql`
      select count(*)::int as n, bool_and(next_attempt_at >= now() + interval '119 seconds') as honoured
        from conversion_outbox where destination = 'meta' and attempts = 1`;
    expect(waiting).toEqual([{ n: metaClaimed, honoured: true }]);
    expect(await statusesOf('meta')).toEqual({ pending: 3000 });
  });

  it('keeps several claims in flight per destination, and they never share a row', async () => {
    await backlog(150);
    let inFlight = 0;
    let most = 0;
    const slow = (body: (req: RecordedRequest) => unknown) => (req: RecordedRequest): FakeResponse => {
      most = Math.max(most, ++inFlight);
      setTimeout(() => inFlight--, 150);
      return { status: 200, delayMs: 150, body: body(req) };
    };
    h.tiktok.respondBy(slow(() => ({ code: 0, message: 'OK', request_id: 'S', data: {} })));
    h.meta.respondBy(slow((req) => ({ events_received: ids(req).length, messages: [], fbtrace_id: 'S' })));
    const report = await h.drain(h.newApp({ DELIVERY_BATCH_SIZE: '7', DELIVERY_CONCURRENCY: '4' }));

    expect(report).toMatchObject({ claimed: 300, delivered: 300, stale: 0 });
    const sent = [...tiktokEventsSent(h.tiktok.requests), ...metaEventsSent(h.meta.requests)];
    expect(sent).toHaveLength(300);
    expect(new Set(sent).size).toBe(300);
    expect(h.tiktok.requests.every((r) => ids(r).length <= 7)).toBe(true);
    expect(most).toBeGreaterThan(2);
  });

  it('logs one line per platform request: events and counts, no personal data', async () => {
    await backlog(3);
    h.tiktok.respondBy((req) => (ids(req).includes('cs_test_scale_3') ? tiktokRejects : undefined));
    await h.drain();
    const lines = h.logs.filter((l) => l.includes('"msg":"delivery request"')).map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines).toHaveLength(h.tiktok.requests.length + h.meta.requests.length);
    expect(lines.find((l) => l.destination === 'meta')).toMatchObject({
      level: 'info', event_names: ['Purchase'], count: 3, status: 200, outcome: 'delivered', trace_id: expect.stringMatching(/^FakeTrace/),
      duration_ms: expect.any(Number),
    });
    expect(lines.find((l) => l.destination === 'tiktok' && l.count === 1 && l.outcome === 'permanent')).toMatchObject({
      event_names: ['CompletePayment'], status: 200, trace_id: 'R',
    });
    const text = lines.map((l) => JSON.stringify(l)).join('\n');
    for (const raw of ['zoe.angstrom@example.com', '46701234567', 'Ångström', 'tiktok-test-token', 'meta-test-token']) expect(text).not.toContain(raw);
  });
});
