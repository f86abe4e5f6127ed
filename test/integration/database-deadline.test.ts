/**
 * Every database call answers within DATABASE_TIMEOUT_MS (issue 10 §3), shown with a call that cannot
 * proceed: another session holds an exclusive lock on the outbox. The PostgreSQL adapter gives up on
 * its side and the server cancels the statement on its own (statement_timeout, set per call), so no
 * lock wait outlives the call; the Supabase adapter aborts its HTTP request. Both failures are
 * "unavailable" (503 for Stripe), and the next call works.
 */
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type postgres from 'postgres';
import { boundedCall, connectPostgres, isUnavailable, jsonLiteral } from '../../src/db/postgres.ts';
import { connectSupabase } from '../../src/db/supabase.ts';
import { DatabaseError, type Database } from '../../src/db/port.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { startFakePostgrest, type FakePostgrest } from '../support/fake-postgrest.ts';

const TIMEOUT_MS = 600;
const SLACK_MS = 1500;
const SERVICE_KEY = 'deadline-service-key';

async function failure(promise: Promise<unknown>): Promise<{ error: DatabaseError; ms: number }> {
  const started = performance.now();
  const error = await promise.then(() => expect.unreachable('the call succeeded'), (e: unknown) => e);
  expect(error).toBeInstanceOf(DatabaseError);
  return { error: error as DatabaseError, ms: performance.now() - started };
}

describe.skipIf(!hasPostgres)('a bound on every database call', () => {
  let t: TestDatabase;
  let api: FakePostgrest;
  let lock: postgres.ReservedSql | undefined;

  beforeAll(async () => {
    t = await freshDatabase();
    api = await startFakePostgrest({ databaseUrl: t.url, keys: { [SERVICE_KEY]: 'service_role' } });
  });

  afterAll(async () => {
    await releaseLock();
    await api?.close();
    await t?.drop();
  });

  async function holdLock(): Promise<void> {
    lock = await t.sql.reserve();
    await lock`begin`;
    await lock`lock table public.conversion_outbox in access exclusive mode`;
  }
  async function releaseLock(): Promise<void> {
    if (!lock) return;
    await lock`rollback`;
    lock.release();
    lock = undefined;
  }
  /** Statements of the adapter still running on the server (its application_name). */
  const stillRunning = async () =>
    (await t.sql`select count(*)::int as n from pg_stat_activity
                 where application_name = 'stripe-conversions' and state = 'active' and datname = current_database()`)[0]?.n as number;

  it('PostgreSQL: the call fails as unavailable within the bound, the server drops the statement, the next call works', async () => {
    const db: Database = connectPostgres(t.url, { timeoutMs: TIMEOUT_MS });
    try {
      expect(await db.call('outbox_claim', {})).toEqual({ rows: [] });
      await holdLock();
      const { error, ms } = await failure(db.call('outbox_claim', {}));
      expect(error.unavailable).toBe(true);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
      // The lock is still held: only the server's own timeout can have ended the waiting statement.
      await expect.poll(stillRunning, { timeout: TIMEOUT_MS + SLACK_MS }).toBe(0);
      await releaseLock();
      expect(await db.call('outbox_claim', {})).toEqual({ rows: [] });
    } finally {
      await releaseLock();
      await db.close();
    }
  });

  it('PostgreSQL: the server-side timeout alone cancels a call that waits too long (57014 → unavailable)', async () => {
    // The client allows more time than the server: the answer is the server's cancellation.
    await holdLock();
    try {
      const rows = t.sql.unsafe(boundedCall('outbox_claim', {}, 300));
      const error = await rows.then(() => expect.unreachable('the call succeeded'), (e: { code?: string }) => e);
      expect(error.code).toBe('57014');
      expect(isUnavailable(error)).toBe(true);
    } finally {
      await releaseLock();
    }
  });

  it('the argument reaches the function unchanged, whatever characters it holds', async () => {
    const value = { quote: "it's", backslash: 'a\\b\\\\c', unicode: 'Zoë 山田 😀', escapes: '\\u0041 \\n', dollar: '$$ $q$', newline: 'a\nb', control: '\u0001\t\u001f', nested: { list: ["'", '\\', '"'] } };
    const [row] = await t.sql.unsafe(`select ${jsonLiteral(value)} as v`);
    expect(row?.v).toEqual(value);
    const off = await t.sql.reserve();
    try {
      await off`set standard_conforming_strings = off`;
      const [same] = await off.unsafe(`select ${jsonLiteral(value)} as v`);
      expect(same?.v).toEqual(value);
    } finally {
      await off`reset standard_conforming_strings`;
      off.release();
    }
  });

  it('Supabase over HTTP: the request is aborted at the bound and the call is unavailable; the next works', async () => {
    const db = connectSupabase(api.url, SERVICE_KEY, { timeoutMs: TIMEOUT_MS });
    expect(await db.call('outbox_claim', {})).toEqual({ rows: [] });
    await holdLock();
    try {
      const { error, ms } = await failure(db.call('outbox_claim', {}));
      expect(error.unavailable).toBe(true);
      expect(ms).toBeLessThan(TIMEOUT_MS + SLACK_MS);
    } finally {
      await releaseLock();
    }
    expect(await db.call('outbox_claim', {})).toEqual({ rows: [] });
  });

  it('a failed call, printed whole (as an uncaught error is), shows no part of its argument', async () => {
    const row = { destination: 'meta', event_name: 'Lead', event_id: 'leak-1', kind: 'lead', origin: 'browser', event_time: 1,
      payload: { email: 'leak.me@example.com', ip: '203.0.113.77', bad: 'nul\u0000' } };
    for (const db of [connectPostgres(t.url, { timeoutMs: 5000 }), connectSupabase(api.url, SERVICE_KEY, { timeoutMs: 5000 })]) {
      try {
        const error = await db.call('outbox_enqueue', { rows: [row] }).then(() => expect.unreachable('the call succeeded'), (e: unknown) => e);
        expect(error).toBeInstanceOf(DatabaseError);
        const printed = inspect(error, { depth: 10 });
        expect(printed).toContain('outbox_enqueue failed');
        expect(printed).not.toMatch(/leak\.me|203\.0\.113\.77|leak-1/);
      } finally {
        await db.close();
      }
    }
  });
});
