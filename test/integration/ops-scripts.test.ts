/**
 * `npm run report` and `npm run redrive` as an operator runs them, against a seeded PostgreSQL
 * database selected by DATABASE_URL.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { SEEDED, seedOperations } from '../support/ops-seed.ts';
import type { Report } from '../../src/ops/report.ts';

const exec = promisify(execFile);

describe.skipIf(!hasPostgres)('operations scripts on a seeded database', () => {
  let tdb: TestDatabase;
  const script = async (name: string, ...args: string[]) => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: tdb.url, LOG_LEVEL: 'warn' };
    return (await exec(process.execPath, ['--import', 'tsx', `scripts/${name}.ts`, ...args], { env })).stdout;
  };
  const statuses = async () =>
    Object.fromEntries((await tdb.sql`select destination || ':' || event_id as k, status from conversion_outbox`).map((r) => [r.k, r.status]));

  beforeAll(async () => {
    tdb = await freshDatabase();
    await seedOperations(tdb.sql);
  });
  afterAll(async () => {
    await tdb?.drop();
  });

  it('report --json: paid purchases against outcomes per day, reasons grouped, match-key coverage', async () => {
    const report = JSON.parse(await script('report', '--json', '--days', '14')) as Report;
    const day = (daysAgo: number) => new Date(Date.now() - daysAgo * 86_400_000).toISOString().slice(0, 10);
    const row = (destination: string, daysAgo: number) => report.days.find((d) => d.destination === destination && d.day === day(daysAgo));
    expect(row('meta', 0)).toEqual({ day: day(0), destination: 'meta', purchases_paid: 3, delivered: 3, retrying: 1, dead: 0, skipped: 0 });
    expect(row('meta', 1)).toMatchObject({ purchases_paid: 1, delivered: 2 });
    expect(row('meta', 10)).toMatchObject({ purchases_paid: 0, dead: 1 });
    expect(row('tiktok', 0)).toMatchObject({ purchases_paid: 3, delivered: 1, skipped: 2 });
    expect(report.reasons).toEqual([
      { destination: 'meta', status: 'dead', reason: SEEDED.deadReason, count: 2 },
      { destination: 'tiktok', status: 'skipped', reason: 'tiktok is off: no pixel id or access token', count: 2 },
    ]);
    const meta = report.coverage.find((c) => c.destination === 'meta')!;
    expect(meta.delivered).toBe(6);
    expect(meta.share).toMatchObject({ email: 1, ip: 0.333, phone: 0, fbp: 0 });
    expect(report.coverage.find((c) => c.destination === 'tiktok')!.share).toMatchObject({ email: 1, ttclid: 1, ip: 0 });

    const recent = JSON.parse(await script('report', '--json', '--since', '3d')) as Report;
    expect(recent.days.some((d) => d.day === day(10))).toBe(false);
  });

  it('report: a readable table by default', async () => {
    const text = await script('report');
    expect(text).toMatch(/day\s+destination\s+paid\s+delivered\s+retrying\s+dead\s+skipped/);
    expect(text).toContain('Match-key coverage');
    expect(text).toMatch(/meta\s+6\s+100%\s+0%\s+0%\s+33%/);
  });

  it('redrive --dry-run counts and refuses without changing anything', async () => {
    const before = await statuses();
    const out = await script('redrive', '--destination', 'meta', '--reason', 'oauth', '--dry-run');
    expect(out).toContain('would requeue 1 conversion(s)');
    expect(out).toContain('refused 1: older than meta accepts (167 h)');
    expect(await statuses()).toEqual(before);
  });

  it('redrive moves fresh dead rows back to due, never the ones the platform would refuse', async () => {
    expect(await script('redrive', '--destination', 'meta', '--event-id', 'cs_seed_nope')).toContain('requeued 0');
    expect(await script('redrive', '--destination', 'meta', '--since', '30d')).toContain('requeued 1 conversion(s)');
    const after = await statuses();
    expect(after['meta:cs_seed_m7']).toBe('pending');
    expect(after['meta:cs_seed_m8']).toBe('dead');
    const [row] = await tdb.sql`select attempts, last_error, next_attempt_at <= now() as due from conversion_outbox where event_id = 'cs_seed_m7'`;
    expect(row).toEqual({ attempts: 0, last_error: null, due: true });

    expect(await script('redrive', '--destination', 'tiktok')).toContain('requeued 0');
    expect(await script('redrive', '--include-skipped', '--destination', 'tiktok', '--reason', 'is off')).toContain('requeued 2');
    expect((await statuses())['tiktok:cs_seed_m2']).toBe('pending');
  });

  it('refuses a destination it does not know instead of requeuing nothing', async () => {
    const before = await statuses();
    await expect(script('redrive', '--destination', 'facebook')).rejects.toMatchObject({
      code: 2,
      stderr: '--destination: expected tiktok or meta, got "facebook"\n',
    });
    expect(await statuses()).toEqual(before);
  });

  it('refuses a --since it cannot read, with a plain message', async () => {
    await expect(script('redrive', '--since', 'last tuesday')).rejects.toMatchObject({ stderr: expect.stringContaining('--since: expected a date') });
  });
});
