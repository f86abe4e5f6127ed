/**
 * The operations calls through the Supabase adapter (PostgREST rpc, played by test/support/fake-postgrest.ts
 * on the real PostgreSQL with the same role switch): the service role gets answers, the API keys
 * shipped to browsers get nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectSupabase } from '../../src/db/supabase.ts';
import { DatabaseError, type Database } from '../../src/db/port.ts';
import { readReport } from '../../src/ops/report.ts';
import { redrive } from '../../src/ops/redrive.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { startFakePostgrest, type FakePostgrest } from '../support/fake-postgrest.ts';
import { SEEDED, seedOperations } from '../support/ops-seed.ts';

describe.skipIf(!hasPostgres)('operations over the Supabase adapter', () => {
  let t: TestDatabase;
  let api: FakePostgrest;
  let service: Database;
  let anon: Database;

  beforeAll(async () => {
    t = await freshDatabase();
    await seedOperations(t.sql);
    api = await startFakePostgrest({ databaseUrl: t.url, keys: { 'ops-service-key': 'service_role', 'ops-anon-key': 'anon' } });
    service = connectSupabase(api.url, 'ops-service-key');
    anon = connectSupabase(api.url, 'ops-anon-key');
  });
  afterAll(async () => {
    await api?.close();
    await t?.drop();
  });

  it('status, report, redrive and retention answer the service role', async () => {
    const status = await service.call<{ destinations: Record<string, { counts: Record<string, number> }> }>('ops_status', { destinations: ['tiktok', 'meta'] });
    expect(status.destinations.meta!.counts.delivered).toBe(SEEDED.meta.delivered);
    expect((await readReport(service, { days: 14 })).coverage.find((c) => c.destination === 'meta')?.delivered).toBe(SEEDED.meta.delivered);
    expect(await redrive(service, { statuses: ['dead'], dryRun: true })).toMatchObject({ dry_run: true, requeued: 1 });
    expect(await service.call('ops_retention', {})).toEqual({ outbox_cleared: 0, stripe_events_cleared: 0 });
  });

  it.each(['ops_status', 'ops_report', 'ops_redrive', 'ops_retention'] as const)('%s is refused to the anon key', async (fn) => {
    const error = await anon.call(fn, {}).then(() => null, (e: unknown) => e);
    expect(error).toBeInstanceOf(DatabaseError);
  });
});
