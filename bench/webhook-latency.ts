/**
 * Webhook response time with the ad platforms answering at once versus after `delayMs`, through the
 * real Netlify entry (netlify/functions/stripe-webhook.ts) with the real App. The timed region is
 * exactly `await handler(request, context)`: signing happens before it, the waitUntil promises (the
 * TikTok/Meta delivery) are collected and awaited after the whole run, outside it. If platform
 * latency leaked into the request path, the delayed runs would be ≥ delayMs slower.
 *
 * In one process the deliveries of earlier events overlap later requests (event loop, the
 * 2-connection pool, the in-process fake servers); a Netlify instance never does that, since it
 * finishes an invocation's waitUntil work before taking the next. `isolated` rows reproduce that
 * (concurrency 1): before the next request, untimed, the delivery must have finished or, with slow
 * platforms, be idle-waiting for their answer (both have received it). Waiting out 4 s per event
 * would add nothing but idle time, as long as the run is shorter than the delay (wallMs says).
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
      const base = { stripeApi, concurrency: 1, delayMs: 0, isolated: false };
      // Warm-up: JIT, the connection pool and keep-alive sockets, as on a warm function instance.
      await runScenario(world, base, opts.warmup);
      for (const delayMs of [0, opts.delayMs]) scenarios.push(await runScenario(world, { ...base, delayMs, isolated: true }, opts.n));
      for (const concurrency of opts.concurrencies) {
        // Immediate and slow platforms back to back, same instance, same table sizes.
        for (const delayMs of [0, opts.delayMs]) scenarios.push(await runScenario(world, { ...base, concurrency, delayMs }, opts.n));
      }
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

async function runScenario(world: World, s: Scenario, n: number): Promise<ScenarioResult> {
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
    throw new Error(`webhook scenario ${JSON.stringify(s)} is not valid: ${failures[0] ?? ''} outbox ${JSON.stringify(statuses)}`);
  }
  return {
    ...s,
    response: summarize(times),
    delivery: summarize(delivery),
    delivered,
    stripeCalls: world.stripe.requests.length - stripeBefore,
    wallMs,
  };
}

/** Resolves once both fake platforms have recorded that many requests, or `done()` (delivery over). */
async function received(world: World, counts: { tiktok: number; meta: number }, done: () => boolean): Promise<void> {
  while (!done() && (world.tiktok.requests.length < counts.tiktok || world.meta.requests.length < counts.meta)) {
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}
