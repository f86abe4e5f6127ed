/**
 * Webhook response time with the ad platforms answering at once versus after `delayMs`, through the
 * real Netlify entry (netlify/functions/stripe-webhook.ts) and App. Timed: exactly `await
 * handler(request, context)`; signing is before it, the waitUntil delivery is awaited outside it.
 *
 * In one process, deliveries of earlier events overlap later requests (event loop, the 2-connection
 * pool, the in-process fakes); a Netlify instance finishes an invocation's waitUntil work before the
 * next. `isolated` rows (concurrency 1) reproduce that: before the next request, untimed, the
 * delivery must have finished or, with slow platforms, only be waiting for their answer (both have
 * received it): waiting out 4 s per event would only add idle time.
 *
 * Each pair runs in ABBA order (n/2 at once, n/2 slow, n/2 slow, n/2 at once) and pools the halves,
 * so drift on a shared 2-core machine (other processes, PostgreSQL housekeeping) hits both alike.
 */
import type { Context } from '@netlify/functions';
import { setApp } from '../src/app.ts';
import stripeWebhook from '../netlify/functions/stripe-webhook.ts';
import { outboxStatuses, paidRequest, resetTables, slowPlatforms, startWorld, type World } from './fixture.ts';
import { pool, summarize, type Summary } from './stats.ts';

export interface LatencyOptions {
  n: number;
  concurrencies: number[];
  delayMs: number;
  warmup: number;
}

export interface Scenario {
  stripeApi: boolean;
  concurrency: number;
  delayMs: number;
  /** Await each request's delivery (untimed) before the next one, as one Netlify instance does. */
  isolated: boolean;
}

export interface ScenarioResult extends Scenario {
  /** Handler call → Response returned. */
  response: Summary;
  /** p50 of each half alone: how far the same condition moves within one run (the noise). */
  halvesP50: [number, number];
  /** waitUntil registered → delivery settled: proves the platform delay was really in effect. */
  delivery: Summary;
  delivered: number;
  stripeCalls: number;
  wallMs: number;
}

export interface LatencyResult {
  n: number;
  delayMs: number;
  scenarios: ScenarioResult[];
  /** Memory of this process (handler, pools, fake servers) after every delivery settled. */
  memory: { rssBytes: number; heapUsedBytes: number; maxRssBytes: number };
}

export async function benchWebhookLatency(opts: LatencyOptions): Promise<LatencyResult> {
  const world = await startWorld();
  const scenarios: ScenarioResult[] = [];
  try {
    for (const stripeApi of [false, true]) {
      setApp(world.app({ stripeApi }));
      const base = { stripeApi, concurrency: 1, isolated: false };
      // Warm-up: JIT, the connection pool and keep-alive sockets, as on a warm function instance.
      await runPass(world, { ...base, delayMs: 0 }, opts.warmup);
      scenarios.push(...(await measurePair(world, { ...base, isolated: true }, opts)));
      for (const concurrency of opts.concurrencies) scenarios.push(...(await measurePair(world, { ...base, concurrency }, opts)));
    }
    const mem = process.memoryUsage();
    const memory = { rssBytes: mem.rss, heapUsedBytes: mem.heapUsed, maxRssBytes: process.resourceUsage().maxRSS * 1024 };
    return { n: opts.n, delayMs: opts.delayMs, scenarios, memory };
  } finally {
    setApp(undefined);
    slowPlatforms(world, 0);
    await world.close();
  }
}

/** One half of a pair: raw samples, pooled with the other half of the same condition. */
type Pass = Pick<ScenarioResult, 'delivered' | 'stripeCalls' | 'wallMs'> & { times: number[]; delivery: number[] };

async function measurePair(world: World, s: Omit<Scenario, 'delayMs'>, opts: LatencyOptions): Promise<ScenarioResult[]> {
  const half = Math.ceil(opts.n / 2);
  const passes = new Map<number, Pass[]>([[0, []], [opts.delayMs, []]]);
  for (const delayMs of [0, opts.delayMs, opts.delayMs, 0]) passes.get(delayMs)!.push(await runPass(world, { ...s, delayMs }, half));
  return [...passes].map(([delayMs, [a, b]]) => ({
    ...s,
    delayMs,
    response: summarize([...a!.times, ...b!.times]),
    halvesP50: [summarize(a!.times).p50, summarize(b!.times).p50],
    delivery: summarize([...a!.delivery, ...b!.delivery]),
    delivered: a!.delivered + b!.delivered,
    stripeCalls: a!.stripeCalls + b!.stripeCalls,
    wallMs: a!.wallMs + b!.wallMs,
  }));
}

async function runPass(world: World, s: Scenario, n: number): Promise<Pass> {
  await resetTables(world);
  slowPlatforms(world, s.delayMs);
  const stripeBefore = world.stripe.requests.length;
  const requests = Array.from({ length: n }, () => paidRequest(world));
  const times: number[] = [];
  const delivery: number[] = [];
  const background: Promise<unknown>[] = [];
  const failures: string[] = [];

  const started = performance.now();
  await pool(n, s.concurrency, async (i) => {
    let mine: Promise<unknown> | undefined;
    const sent = { tiktok: world.tiktok.requests.length + 1, meta: world.meta.requests.length + 1 };
    const context = {
      requestId: `bench-${i}`,
      waitUntil: (p: Promise<unknown>) => {
        const at = performance.now();
        background.push((mine = p.then(() => delivery.push(performance.now() - at))));
      },
    } as unknown as Context;
    const t0 = performance.now();
    const response = await stripeWebhook(requests[i]!, context);
    times.push(performance.now() - t0);
    // Checked outside the timed region: every event must be processed, not deduplicated or failed.
    const body = (await response.json()) as { outcome?: string };
    if (response.status !== 200 || body.outcome !== 'processed') failures.push(`${response.status} ${JSON.stringify(body)}`);
    if (s.isolated && mine) {
      let settled = false;
      void mine.then(() => (settled = true));
      await received(world, sent, () => settled);
    }
  });
  await Promise.all(background);
  const wallMs = performance.now() - started;

  const statuses = await outboxStatuses(world);
  const delivered = statuses.delivered ?? 0;
  if (failures.length > 0 || delivered !== 2 * n) {
    throw new Error(`webhook scenario ${JSON.stringify(s)} is not valid: ${failures[0] ?? ''} outbox ${JSON.stringify(statuses)} ${world.errors[0] ?? ''}`);
  }
  return { times, delivery, delivered, stripeCalls: world.stripe.requests.length - stripeBefore, wallMs };
}

/** Resolves once both fake platforms have recorded that many requests, or `done()` (delivery over). */
async function received(world: World, counts: { tiktok: number; meta: number }, done: () => boolean): Promise<void> {
  while (!done() && (world.tiktok.requests.length < counts.tiktok || world.meta.requests.length < counts.meta)) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
