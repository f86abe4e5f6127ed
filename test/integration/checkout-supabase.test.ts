/**
 * The SQL calls of checkout creation over the Supabase adapter (rpc over HTTP to the PostgREST
 * stand-in on a real PostgreSQL): the service role queues and reads; the keys shipped to browsers
 * can do neither.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSupabase } from '../../src/db/supabase.ts';
import { DatabaseError, type Database } from '../../src/db/port.ts';
import { startFakePostgrest, type FakePostgrest } from '../support/fake-postgrest.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';

const SERVICE_KEY = 'checkout-service-role-key';
const ANON_KEY = 'checkout-anon-key';
const USER_KEY = 'checkout-authenticated-key';
const USER = '00000000-0000-4000-8000-00000000c0de';

const row = (destination: string) => ({
  destination,
  event_name: 'InitiateCheckout',
  event_id: 'cs_test_supabase_1',
  kind: 'initiate_checkout',
  origin: 'checkout',
  livemode: false,
  event_time: 1_796_000_000,
  payload: { user: {}, client: { ipAddress: '203.0.113.5' } },
  status: 'pending',
});

describe.skipIf(!hasPostgres)('checkout creation over the Supabase adapter', () => {
  let t: TestDatabase;
  let api: FakePostgrest;
  let service: Database;

  beforeAll(async () => {
    t = await freshDatabase();
    api = await startFakePostgrest({
      databaseUrl: t.url,
      keys: { [SERVICE_KEY]: 'service_role', [ANON_KEY]: 'anon', [USER_KEY]: { role: 'authenticated', sub: USER } },
    });
    service = connectSupabase(api.url, SERVICE_KEY);
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('queues an InitiateCheckout once and reads a user’s customer', async () => {
    expect(await service.call('outbox_enqueue', { rows: [row('tiktok'), row('meta')] })).toMatchObject({ duplicates: 0, ids: [expect.any(Number), expect.any(Number)] });
    expect(await service.call('outbox_enqueue', { rows: [row('meta')] })).toEqual({ ids: [], duplicates: 1 });
    await t.sql`insert into public.customers (customer_key, stripe_customer_id, user_id, livemode) values ('cus_Sb1', 'cus_Sb1', ${USER}, false)`;
    expect(await service.call('checkout_customer', { user_id: USER, livemode: false })).toEqual({ stripe_customer_id: 'cus_Sb1' });
  });

  it.each([
    { who: 'anon', key: ANON_KEY },
    { who: 'authenticated', key: USER_KEY },
  ])('the $who key can neither queue nor read customers', async ({ key }) => {
    const db = connectSupabase(api.url, key);
    for (const [fn, args] of [['outbox_enqueue', { rows: [{ ...row('meta'), event_id: 'cs_test_forged' }] }], ['checkout_customer', { user_id: USER }]] as const) {
      const error = await db.call(fn, args).then(() => null, (e: unknown) => e);
      expect(error, fn).toBeInstanceOf(DatabaseError);
    }
    expect(await t.sql`select id from public.conversion_outbox where event_id = 'cs_test_forged'`).toEqual([]);
  });
});
