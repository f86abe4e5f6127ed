/**
 * The Supabase adapter over real HTTP. PostgREST cannot run on these machines (no Debian package, no
 * Docker), so test/support/fake-postgrest.ts stands in for it: it runs the same SQL functions on the
 * same real PostgreSQL with the same role switch and JWT claims, and answers with PostgREST's statuses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSupabase } from '../../src/db/supabase.ts';
import { DatabaseError, type Database } from '../../src/db/port.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { startFakePostgrest, type FakePostgrest } from '../support/fake-postgrest.ts';

const SERVICE_KEY = 'test-service-role-key';
const ANON_KEY = 'test-anon-key';
const USER_KEY = 'test-authenticated-key';

const ignoredEvent = (id: string) => ({
  event: { id, type: 'customer.created', created: 1_795_420_800, livemode: false, data: { object: { id: 'cus_1' } } },
  command: { action: 'ignore', detail: 'event type customer.created is not handled' },
});

/** The DatabaseError a call ends with (fails the test if it succeeds or throws anything else). */
async function failure(promise: Promise<unknown>): Promise<DatabaseError> {
  const error = await promise.then(
    () => expect.unreachable('the call succeeded'),
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DatabaseError);
  return error as DatabaseError;
}

describe.skipIf(!hasPostgres)('Supabase adapter (rpc over HTTP to a PostgREST stand-in on a real PostgreSQL)', () => {
  let t: TestDatabase;
  let api: FakePostgrest;
  let service: Database;

  beforeAll(async () => {
    t = await freshDatabase();
    api = await startFakePostgrest({
      databaseUrl: t.url,
      keys: { [SERVICE_KEY]: 'service_role', [ANON_KEY]: 'anon', [USER_KEY]: { role: 'authenticated', sub: '00000000-0000-4000-8000-000000000001' } },
    });
    service = connectSupabase(api.url, SERVICE_KEY);
  });

  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('records a Stripe event once for the service role: ignored, then duplicate', async () => {
    expect(await service.call('stripe_record_event', ignoredEvent('evt_supabase_1'))).toEqual({
      outcome: 'ignored',
      detail: 'event type customer.created is not handled',
    });
    expect(await service.call('stripe_record_event', ignoredEvent('evt_supabase_1'))).toEqual({ outcome: 'duplicate' });
    const rows = await t.sql`select outcome, object_id from public.stripe_events where id = 'evt_supabase_1'`;
    expect(rows).toEqual([{ outcome: 'ignored', object_id: 'cus_1' }]);
    expect(api.calls.at(-1)).toMatchObject({ fn: 'stripe_record_event', role: 'service_role', status: 200 });
  });

  it('answers exactly as the direct Postgres adapter does for the same call', async () => {
    const viaHttp = await service.call('stripe_record_event', ignoredEvent('evt_supabase_parity_1'));
    const direct = await t.db.call('stripe_record_event', ignoredEvent('evt_supabase_parity_2'));
    expect(direct).toEqual(viaHttp);
    expect(await t.db.call('stripe_record_event', ignoredEvent('evt_supabase_parity_1'))).toEqual({ outcome: 'duplicate' });
  });

  it('claims outbox rows for the service role, JSON intact both ways', async () => {
    expect(await service.call('outbox_claim', {})).toEqual({ rows: [] });
    await t.sql`insert into public.stripe_events (id, type, livemode, stripe_created, payload, outcome)
                values ('evt_supabase_2', 'checkout.session.completed', false, now(), '{}', 'processed')`;
    await t.sql`insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
                values ('meta', 'Purchase', 'cs_supabase_1', 'purchase', false, ${t.sql.json({ em: ['h1'], value: 49.5, note: 'Zoë 山田' })},
                        to_timestamp(1795420800), 'evt_supabase_2')`;
    const claimed = await service.call<{ rows: Array<Record<string, unknown>> }>('outbox_claim', { limit: 10, lease_seconds: 30 });
    expect(claimed.rows).toHaveLength(1);
    expect(claimed.rows[0]).toMatchObject({
      destination: 'meta',
      event_id: 'cs_supabase_1',
      attempts: 1,
      event_time: 1_795_420_800,
      payload: { em: ['h1'], value: 49.5, note: 'Zoë 山田' },
    });
    expect(claimed.rows[0]?.lease_token).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('a bad argument is a client error (400), not "unavailable"', async () => {
    const error = await failure(service.call('stripe_record_event', { event: { type: 'customer.created' } }));
    expect(error.unavailable).toBe(false);
    expect(error.message).toMatch(/\(400\).*needs id, type and created/);
  });

  it.each([
    { who: 'anon', key: ANON_KEY, status: 401 },
    { who: 'authenticated', key: USER_KEY, status: 403 },
  ])('the $who key is refused by the grants ($status permission denied), not "unavailable"', async ({ key, status }) => {
    const db = connectSupabase(api.url, key);
    for (const [fn, args] of [['outbox_claim', {}], ['stripe_record_event', ignoredEvent('evt_supabase_anon')]] as const) {
      const error = await failure(db.call(fn, args));
      expect(error.unavailable).toBe(false);
      expect(error.message).toContain(`(${status})`);
      expect(error.message).toMatch(/permission denied for function/);
    }
    const [row] = await t.sql`select count(*)::int as n from public.stripe_events where id = 'evt_supabase_anon'`;
    expect(row?.n).toBe(0);
  });

  it('an unknown API key is refused by the gateway (401), not "unavailable"', async () => {
    const error = await failure(connectSupabase(api.url, 'not-a-key').call('outbox_claim', {}));
    expect(error.unavailable).toBe(false);
    expect(error.message).toMatch(/\(401\).*Invalid API key/);
  });

  it('the stand-in answers an unknown function like PostgREST: 404 PGRST202', async () => {
    const res = await fetch(`${api.url}/rest/v1/rpc/no_such_function`, {
      method: 'POST',
      headers: { apikey: SERVICE_KEY, 'content-type': 'application/json' },
      body: JSON.stringify({ p: {} }),
    });
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ code: 'PGRST202' });
  });

  it('PostgREST answering 503 is "unavailable"', async () => {
    api.setUnavailable(true);
    try {
      const error = await failure(service.call('outbox_claim', {}));
      expect(error.unavailable).toBe(true);
      expect(error.message).toContain('(503)');
    } finally {
      api.setUnavailable(false);
    }
    expect(await service.call('outbox_claim', {})).toEqual({ rows: [] });
  });

  it('a closed server (connection refused) is "unavailable"', async () => {
    const gone = await startFakePostgrest({ databaseUrl: t.url, keys: { [SERVICE_KEY]: 'service_role' } });
    const db = connectSupabase(gone.url, SERVICE_KEY);
    expect(await db.call('outbox_claim', {})).toEqual({ rows: [] });
    await gone.close();
    const error = await failure(db.call('outbox_claim', {}));
    expect(error.unavailable).toBe(true);
    expect(error.message).toMatch(/\(0\)/);
  });
});
