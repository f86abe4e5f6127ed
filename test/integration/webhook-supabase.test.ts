/**
 * The whole product on the Supabase store: webhook → PostgREST rpc → SQL functions → fast-path
 * delivery, with the PostgREST stand-in (test/support/fake-postgrest.ts) on the real PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { startFakePostgrest, type FakePostgrest } from '../support/fake-postgrest.ts';
import { loadEvent } from '../support/stripe-sign.ts';

const SERVICE_KEY = 'test-service-role-key';

describe.skipIf(!hasPostgres)('stripe-webhook on the Supabase store', () => {
  let h: Harness;
  let api: FakePostgrest;
  beforeAll(async () => {
    h = await startHarness();
    api = await startFakePostgrest({ databaseUrl: h.tdb.url, keys: { [SERVICE_KEY]: 'service_role' } });
  });
  afterAll(async () => {
    await api?.close();
    await h?.close();
  });

  it('provisions once and delivers, exactly as on a direct connection', async () => {
    const app = h.newApp({ DATABASE_URL: '', SUPABASE_URL: api.url, SUPABASE_SERVICE_ROLE_KEY: SERVICE_KEY });
    expect(app.config.storage.kind).toBe('supabase');
    const event = loadEvent('checkout.session.completed.payment.usd.paid');
    const first = await h.post(event, { app });
    const again = await h.post(event, { app });
    await h.settle();
    expect(first.body).toEqual({ received: true, outcome: 'processed', purchase_status: 'paid' });
    expect(again.body).toEqual({ received: true, outcome: 'duplicate' });
    expect(await h.count('entitlements')).toBe(1);
    expect(await h.count('conversion_outbox', "status = 'delivered'")).toBe(2);
    expect(h.tiktok.requests).toHaveLength(1);
    expect(h.meta.requests).toHaveLength(1);
  });
});
