/**
 * Throughput of the scheduled drain (netlify/functions/conversions-drain.ts, called as Netlify calls
 * it) over `rows` due outbox rows, with DELIVERY_BATCH_SIZE=100. The rows are made by the real
 * webhook with its after-response delivery switched off, so they are exactly what a drain finds
 * after the fast path was lost (e.g. a crashed instance). Run once per platform latency: the drain
 * works in sequential claim rounds, so latency, not CPU, is expected to bound it.
 */
import type { Context } from '@netlify/functions';
import { setApp } from '../src/app.ts';
import { webhookDeps } from '../src/webhook/deps.ts';
import { handleStripeWebhook } from '../src/webhook/handle.ts';
import conversionsDrain from '../netlify/functions/conversions-drain.ts';
import { outboxStatuses, paidRequest, resetTables, slowPlatforms, startWorld, type World } from './fixture.ts';
import { pool } from './stats.ts';

export interface DrainRun {
  platformDelayMs: number;
  rows: number;
  delivered: number;
  seconds: number;
  rowsPerSecond: number;
  /** HTTP requests each platform received, and the rows they carried on average. */
  requests: { tiktok: number; meta: number };
  rowsPerRequest: number;
  claimed: number;
}

export interface DrainResult {
  batchSize: number;
  runs: DrainRun[];
}

export async function benchDrain(opts: { rows: number; platformDelays: number[] }): Promise<DrainResult> {
  const world = await startWorld();
  try {
    const app = world.app({ env: { DELIVERY_BATCH_SIZE: '100' } });
    const runs: DrainRun[] = [];
    for (const platformDelayMs of opts.platformDelays) runs.push(await drainOnce(world, app, opts.rows, platformDelayMs));
    return { batchSize: app.config.delivery.batchSize, runs };
  } finally {
    setApp(undefined);
    slowPlatforms(world, 0);
    await world.close();
  }
}

async function drainOnce(world: World, app: ReturnType<World['app']>, rows: number, platformDelayMs: number): Promise<DrainRun> {
  await resetTables(world);
  // Seed: each paid event queues one TikTok and one Meta row; no `deliver`, so they stay due.
  const deps = { ...webhookDeps(app), deliver: undefined };
  await pool(Math.ceil(rows / 2), 4, async () => {
    const { response } = await handleStripeWebhook(paidRequest(world), deps);
    if (response.status !== 200) throw new Error(`seeding failed: ${response.status}`);
  });
  const due = (await outboxStatuses(world)).pending ?? 0;
  if (due !== rows) throw new Error(`expected ${rows} due rows, found ${due}`);

  slowPlatforms(world, platformDelayMs);
  world.tiktok.requests.length = 0;
  world.meta.requests.length = 0;
  setApp(app);
  const t0 = performance.now();
  let claimed = 0;
  // One scheduled invocation has a 20 s claiming deadline; call again (as the next minute would) until
  // nothing is due, at most 5 times so a regression cannot hang the run.
  for (let call = 0; call < 5; call++) {
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
  return {
    platformDelayMs,
    rows,
    delivered,
    seconds,
    rowsPerSecond: delivered / seconds,
    requests,
    rowsPerRequest: (sent(world.tiktok) + sent(world.meta)) / Math.max(1, requests.tiktok + requests.meta),
    claimed,
  };
}
