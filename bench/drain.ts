/**
 * Throughput of the scheduled drain (netlify/functions/conversions-drain.ts, called as Netlify calls
 * it) over a backlog of `rows` due outbox rows, half TikTok, half Meta, with the default delivery
 * settings (batches of 1,000, DELIVERY_CONCURRENCY claims per destination). The backlog is what a
 * drain finds after the fast path was lost (an outage of the platforms, a crashed instance): 100 paid
 * events recorded by the real webhook with its after-response delivery off, whose rows are then
 * copied in SQL under distinct event ids. Run once per platform latency.
 */
import type { Context } from '@netlify/functions';
import { setApp } from '../src/app.ts';
import { webhookDeps } from '../src/webhook/deps.ts';
import { handleStripeWebhook } from '../src/webhook/handle.ts';
import conversionsDrain from '../netlify/functions/conversions-drain.ts';
import { outboxStatuses, paidRequest, resetTables, slowPlatforms, startWorld, type World } from './fixture.ts';
import { pool } from './stats.ts';

/** Events recorded through the webhook; every other row of the backlog is a copy of theirs. */
export const SEED_EVENTS = 100;

export interface DrainRun {
  platformDelayMs: number;
  rows: number;
  delivered: number;
  seconds: number;
  rowsPerSecond: number;
  /** HTTP requests each platform received, and the rows they carried on average. */
  requests: { tiktok: number; meta: number };
  rowsPerRequest: number;
  requestsPerConversion: number;
  /** Scheduled invocations it took (1 = within one run). */
  invocations: number;
  claimed: number;
}

export interface DrainResult {
  batchSize: number;
  concurrency: number;
  runs: DrainRun[];
}

export async function benchDrain(opts: { rows: number; platformDelays: number[] }): Promise<DrainResult> {
  const world = await startWorld();
  try {
    const app = world.app();
    const runs: DrainRun[] = [];
    for (const platformDelayMs of opts.platformDelays) runs.push(await drainOnce(world, app, opts.rows, platformDelayMs));
    return { batchSize: app.config.delivery.batchSize, concurrency: app.config.delivery.concurrency, runs };
  } finally {
    setApp(undefined);
    slowPlatforms(world, 0);
    await world.close();
  }
}

async function seedBacklog(world: World, app: ReturnType<World['app']>, rows: number): Promise<void> {
  await resetTables(world);
  // Each paid event queues one TikTok and one Meta row; no `deliver`, so they stay due.
  const deps = { ...webhookDeps(app), deliver: undefined };
  await pool(SEED_EVENTS, 4, async () => {
    const { response } = await handleStripeWebhook(paidRequest(world), deps);
    if (response.status !== 200) throw new Error(`seeding failed: ${response.status}`);
  });
  const copies = rows / (2 * SEED_EVENTS);
  await world.tdb.sql`
    insert into conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
    select o.destination, o.event_name, o.event_id || '_' || g, o.kind, o.livemode,
           jsonb_set(jsonb_set(o.payload, '{eventId}', to_jsonb(o.event_id || '_' || g)), '{orderId}', to_jsonb(o.event_id || '_' || g)),
           o.event_time, o.source_event_id
      from conversion_outbox o cross join generate_series(2, ${copies}) g`;
  await world.tdb.sql`analyze conversion_outbox`;
  const due = (await outboxStatuses(world)).pending ?? 0;
  if (due !== rows) throw new Error(`expected ${rows} due rows, found ${due}`);
}

async function drainOnce(world: World, app: ReturnType<World['app']>, rows: number, platformDelayMs: number): Promise<DrainRun> {
  await seedBacklog(world, app, rows);
  slowPlatforms(world, platformDelayMs);
  world.tiktok.requests.length = 0;
  world.meta.requests.length = 0;
  setApp(app);
  const t0 = performance.now();
  let claimed = 0;
  let invocations = 0;
  // One scheduled invocation stops claiming after 20 s; call again (as the next minute would) until
  // nothing is due, at most 5 times so a regression cannot hang the run.
  while (invocations < 5) {
    invocations += 1;
    const res = await conversionsDrain(new Request('http://127.0.0.1/', { method: 'POST' }), {} as Context);
    const report = (await res.json()) as { claimed?: number };
    claimed += report.claimed ?? 0;
    if (!report.claimed || ((await outboxStatuses(world)).pending ?? 0) === 0) break;
  }
  const seconds = (performance.now() - t0) / 1000;
  slowPlatforms(world, 0);

  const delivered = (await outboxStatuses(world)).delivered ?? 0;
  const count = (p: World['tiktok']) => p.requests.length;
  const sent = (p: World['tiktok']) => p.requests.reduce((s, r) => s + ((r.body as { data?: unknown[] }).data?.length ?? 0), 0);
  const requests = { tiktok: count(world.tiktok), meta: count(world.meta) };
  const total = requests.tiktok + requests.meta;
  return {
    platformDelayMs,
    rows,
    delivered,
    seconds,
    rowsPerSecond: delivered / seconds,
    requests,
    rowsPerRequest: (sent(world.tiktok) + sent(world.meta)) / Math.max(1, total),
    requestsPerConversion: total / Math.max(1, delivered),
    invocations,
    claimed,
  };
}
