/**
 * create-checkout-session response time through its Netlify entry file, with the Stripe API played
 * by the loopback stand-in: verify the token (signed-in rows), read the prices (cached after the
 * first request), look the user's customer up, create the session, queue the InitiateCheckout.
 * Timed: exactly `await handler(request, context)`; the InitiateCheckout delivery after the response
 * is awaited untimed before the next request (as one instance does), or overlaps at concurrency 4.
 */
import type { Context } from '@netlify/functions';
import { setApp } from '../src/app.ts';
import createCheckoutSession from '../netlify/functions/create-checkout-session.ts';
import { prices } from '../test/support/fake-stripe.ts';
import { signHs256 } from '../test/support/fake-supabase-auth.ts';
import { resetTables, startWorld } from './fixture.ts';
import { pool, summarize, type Summary } from './stats.ts';

export interface CheckoutScenario {
  signedIn: boolean;
  concurrency: number;
  response: Summary;
  /** POST /v1/checkout/sessions calls the stand-in received (one per request). */
  sessionsCreated: number;
  /** InitiateCheckout rows delivered to both platforms. */
  delivered: number;
}

export interface CheckoutLatencyResult {
  n: number;
  scenarios: CheckoutScenario[];
}

const JWT_SECRET = 'benchmark-jwt-secret-of-at-least-32-characters';
const URL_ = 'http://127.0.0.1/.netlify/functions/create-checkout-session';

export async function benchCheckoutLatency(opts: { n: number; concurrencies: number[]; warmup: number }): Promise<CheckoutLatencyResult> {
  const world = await startWorld();
  const scenarios: CheckoutScenario[] = [];
  try {
    const env = { CHECKOUT_PRICES: prices.licenseUsd.id, URL: 'https://shop.example', SUPABASE_JWT_SECRET: JWT_SECRET };
    setApp(world.app({ stripeApi: true, env }));
    const token = await signHs256(JWT_SECRET, { email: 'bench@example.com' }, 3600);
    for (const signedIn of [false, true]) {
      const request = () =>
        new Request(URL_, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            origin: 'https://shop.example',
            referer: 'https://shop.example/pricing?fbclid=IwAR_bench',
            cookie: '_fbp=fb.1.1795000000000.1; _ttp=bench-ttp',
            'user-agent': 'Mozilla/5.0 (bench)',
            'x-nf-client-connection-ip': '203.0.113.9',
            ...(signedIn && { authorization: `Bearer ${token}` }),
          },
          body: JSON.stringify({ price: prices.licenseUsd.id, consent: 'granted' }),
        });
      await run(request, 1, opts.warmup);
      for (const concurrency of opts.concurrencies) {
        await resetTables(world);
        const before = world.stripe.requests.filter((r) => r.method === 'POST').length;
        const times = await run(request, concurrency, opts.n);
        const delivered = (await world.tdb.sql`select count(*)::int as n from conversion_outbox where status = 'delivered'`)[0]?.n as number;
        const sessionsCreated = world.stripe.requests.filter((r) => r.method === 'POST').length - before;
        scenarios.push({ signedIn, concurrency, response: summarize(times), sessionsCreated, delivered });
      }
    }
    const failed = world.errors.length;
    if (failed > 0) throw new Error(`checkout benchmark logged ${failed} errors, e.g. ${world.errors[0]}`);
    return { n: opts.n, scenarios };
  } finally {
    setApp(undefined);
    await world.close();
  }
}

async function run(request: () => Request, concurrency: number, n: number): Promise<number[]> {
  const times: number[] = [];
  const background: Promise<unknown>[] = [];
  await pool(n, concurrency, async (i) => {
    let mine: Promise<unknown> | undefined;
    const context = { ip: '127.0.0.1', requestId: `bench-${i}`, waitUntil: (p: Promise<unknown>) => void background.push((mine = p)) } as unknown as Context;
    const req = request();
    const t0 = performance.now();
    const response = await createCheckoutSession(req, context);
    times.push(performance.now() - t0);
    if (response.status !== 200) throw new Error(`create-checkout-session answered ${response.status}: ${await response.text()}`);
    if (concurrency === 1) await mine;
  });
  await Promise.all(background);
  return times;
}
