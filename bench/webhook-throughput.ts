/**
 * Sustained webhook throughput of ONE instance of the built bundle (scripts/build.ts output, run by
 * plain node: bench/instance.ts) against the local PostgreSQL, with the Stripe API stand-in and the
 * ad platforms in another process (bench/outside-services.ts). The load generator (this process)
 * keeps `concurrency` signed, paid checkout.session.completed events in flight over keep-alive HTTP;
 * every one is processed in full: line items read from the Stripe stand-in, one transaction, then
 * both conversions delivered after the response (the fast path), as deployed.
 *
 * Database round trips are counted by PostgreSQL itself on the benchmark's database: transactions
 * from pg_stat_database and calls per SQL function from pg_stat_user_functions (track_functions =
 * 'pl'). Each level runs a fresh instance, which is stopped before the counters are read, so its
 * sessions have flushed their statistics.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import postgres from 'postgres';
import { buildFunctions } from '../scripts/build.ts';
import { freshDatabase } from '../test/support/pg.ts';
import { signedRequest } from '../test/support/stripe-sign.ts';
import { paidEventBody, SECRET } from './fixture.ts';
import { next, startInstance } from './instance.ts';
import type { ServiceCounts, ServiceUrls } from './outside-services.ts';
import { pool, summarize, type Summary } from './stats.ts';

export interface ThroughputLevel {
  concurrency: number;
  events: number;
  seconds: number;
  eventsPerSecond: number;
  latency: Summary;
  /** Per webhook, warm-up included (same work): transactions, and calls of each SQL function. */
  perWebhook: { transactions: number; calls: Record<string, number>; stripeCalls: number; eventsDelivered: number };
  /** Mean milliseconds inside PostgreSQL per call of each SQL function. */
  sqlMs: Record<string, number>;
}

export interface ThroughputResult {
  warmup: number;
  levels: ThroughputLevel[];
}

export async function benchWebhookThroughput(opts: { events: number; concurrencies: number[]; warmup: number }): Promise<ThroughputResult> {
  await mkdir(path.resolve('node_modules/.cache'), { recursive: true });
  const outdir = await mkdtemp(path.resolve('node_modules/.cache/bench-throughput-'));
  const tdb = await freshDatabase();
  const services = spawn(process.execPath, ['--import', 'tsx', 'bench/outside-services.ts'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  try {
    const bundle = (await buildFunctions(outdir)).find((f) => f.endsWith('stripe-webhook.mjs'))!;
    const { urls } = await next<{ urls: ServiceUrls }>(services, 'urls');
    const dbName = new URL(tdb.url).pathname.slice(1);
    await tdb.sql.unsafe(`alter database "${dbName}" set track_functions = 'pl'`);
    const env = {
      DATABASE_URL: tdb.url,
      STRIPE_WEBHOOK_SECRET: SECRET,
      STRIPE_SECRET_KEY: 'sk_test_benchmark',
      STRIPE_API_BASE_URL: urls.stripe,
      TIKTOK_PIXEL_ID: 'CTESTPIXEL0000000000',
      TIKTOK_ACCESS_TOKEN: 'tiktok-test-token',
      TIKTOK_TEST_EVENT_CODE: 'TEST_TIKTOK',
      TIKTOK_API_BASE_URL: urls.tiktok,
      META_PIXEL_ID: '1234567890',
      META_ACCESS_TOKEN: 'meta-test-token',
      META_TEST_EVENT_CODE: 'TEST_META',
      META_API_BASE_URL: urls.meta,
      LOG_LEVEL: 'info',
    };
    const counts = async () => (services.send('counts'), (await next<{ counts: ServiceCounts }>(services, 'counts')).counts);
    const levels: ThroughputLevel[] = [];
    for (const concurrency of opts.concurrencies) {
      const before = { db: await dbCounters(tdb.url), services: await counts() };
      const instance = await startInstance(bundle, env);
      let run: { times: number[]; wallMs: number };
      try {
        await load(instance.url, opts.warmup, concurrency);
        run = await load(instance.url, opts.events, concurrency);
        await instance.settled();
      } finally {
        await instance.stop();
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
      const after = { db: await dbCounters(tdb.url), services: await counts() };
      const webhooks = opts.warmup + opts.events;
      const per = (a: number, b: number) => (a - b) / webhooks;
      const fns = [...new Set([...Object.keys(after.db.calls), ...Object.keys(before.db.calls)])].sort();
      const delta = (m: 'calls' | 'ms', f: string) => (after.db[m][f] ?? 0) - (before.db[m][f] ?? 0);
      levels.push({
        concurrency,
        events: opts.events,
        seconds: run.wallMs / 1000,
        eventsPerSecond: opts.events / (run.wallMs / 1000),
        latency: summarize(run.times),
        perWebhook: {
          // The earlier counter read is one transaction of its own.
          transactions: per(after.db.transactions - 1, before.db.transactions),
          calls: Object.fromEntries(fns.map((f) => [f, delta('calls', f) / webhooks])),
          stripeCalls: per(after.services.stripe, before.services.stripe),
          eventsDelivered: per(after.services.events, before.services.events),
        },
        sqlMs: Object.fromEntries(fns.map((f) => [f, delta('ms', f) / Math.max(1, delta('calls', f))])),
      });
    }
    return { warmup: opts.warmup, levels };
  } finally {
    if (services.connected) services.send('close');
    await tdb.drop();
    await rm(outdir, { recursive: true, force: true });
  }
}

/** `count` fresh signed events, `concurrency` in flight; each must come back 200 processed. */
async function load(url: string, count: number, concurrency: number): Promise<{ times: number[]; wallMs: number }> {
  const bodies = Array.from({ length: count }, () => paidEventBody().body);
  const times: number[] = [];
  const started = performance.now();
  await pool(count, concurrency, async (i) => {
    const request = signedRequest(url, bodies[i]!, SECRET);
    const t0 = performance.now();
    const response = await fetch(request);
    const text = await response.text();
    times.push(performance.now() - t0);
    if (response.status !== 200 || !text.includes('"processed"')) throw new Error(`webhook answered ${response.status} ${text.slice(0, 200)}`);
  });
  return { times, wallMs: performance.now() - started };
}

/** Read on a connection of its own, closed at once, so the reader's statistics never linger. */
async function dbCounters(url: string): Promise<{ transactions: number; calls: Record<string, number>; ms: Record<string, number> }> {
  const sql = postgres(url, { max: 1, fetch_types: false, onnotice: () => {} });
  try {
    const [row] = await sql`
      select (select xact_commit + xact_rollback from pg_stat_database where datname = current_database())::bigint as transactions,
             (select coalesce(jsonb_object_agg(funcname, calls), '{}') from pg_stat_user_functions where schemaname = 'public') as calls,
             (select coalesce(jsonb_object_agg(funcname, total_time), '{}') from pg_stat_user_functions where schemaname = 'public') as ms`;
    return { transactions: Number(row!.transactions), calls: row!.calls as Record<string, number>, ms: row!.ms as Record<string, number> };
  } finally {
    await sql.end();
  }
}
