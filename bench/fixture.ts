/**
 * The product wired for benchmarks the way test/support/harness.ts wires it for tests: a private
 * database on the local PostgreSQL server, local fake Stripe/TikTok/Meta servers on 127.0.0.1, and
 * the real App built from the same environment keys a deployment uses. Unlike the harness it logs at
 * `info` into a sink that keeps only error lines (the JSON formatting cost stays on the request
 * path, the terminal I/O does not) and it does not run in dry-run mode.
 */
import { randomBytes } from 'node:crypto';
import { createApp, type App } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { lineItemsFor, type FakeStripe } from '../test/support/fake-stripe.ts';
import type { FakePlatform, FakeResponse, RecordedRequest } from '../test/support/fake-platforms.ts';
import type { TestDatabase } from '../test/support/pg.ts';
import { startLocalServices } from '../test/support/local-services.ts';
import { eventBody, loadEvent, newEventId, signedRequest, withChanges } from '../test/support/stripe-sign.ts';

export const SECRET = 'whsec_benchmark_secret_local_only';
const URL_ = 'http://127.0.0.1/.netlify/functions/stripe-webhook';
const PAID = loadEvent('checkout.session.completed.payment.usd.paid');

export interface World {
  tdb: TestDatabase;
  stripe: FakeStripe;
  tiktok: FakePlatform;
  meta: FakePlatform;
  /** Error log lines of every app: the failure message quotes them (the rest is dropped). */
  errors: string[];
  /** A new App (its own connection pool, as one function instance has). */
  app(options?: { stripeApi?: boolean; env?: Record<string, string> }): App;
  close(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  const services = await startLocalServices(SECRET);
  const { tdb, stripe, tiktok, meta } = services;
  const apps: App[] = [];
  const errors: string[] = [];
  const sink = (line: string) => void (line.startsWith('{"level":"error"') && errors.push(line));
  const base = {
    ...services.env,
    // Above the 4 s platform delay, so slow answers are still deliveries, not timeouts.
    DELIVERY_TIMEOUT_MS: '10000',
    // The config refuses a lease shorter than a batch request plus its bisection rounds.
    DELIVERY_LEASE_SECONDS: '300',
    LOG_LEVEL: 'info',
  };
  return {
    tdb,
    stripe,
    tiktok,
    meta,
    errors,
    app({ stripeApi = false, env = {} } = {}) {
      const stripeEnv = stripeApi ? { STRIPE_SECRET_KEY: 'sk_test_benchmark', STRIPE_API_BASE_URL: stripe.baseUrl } : {};
      const app = createApp({ config: loadConfig({ ...base, ...stripeEnv, ...env }), log: createLogger('info', sink) });
      apps.push(app);
      return app;
    },
    async close() {
      await Promise.allSettled(apps.map(async (a) => (await a.db().catch(() => null))?.close()));
      await services.close();
    },
  };
}

/**
 * A signed, paid checkout.session.completed that the webhook must process in full: a fresh event id
 * (not a Stripe redelivery), a fresh session id (a new purchase and new outbox rows), its own Stripe
 * customer (distinct buyers, as in real traffic) and a current `created` (older events would be
 * expired by the platforms' age limits instead of sent). The Stripe stand-in learns its line items.
 */
export function paidRequest(world: World): Request {
  const { body, session } = paidEventBody();
  world.stripe.setLineItems(session, lineItemsFor.usd);
  return signedRequest(URL_, body, SECRET);
}

/** The body of such an event, and its session id (for a Stripe stand-in to learn its line items). */
export function paidEventBody(): { body: string; session: string } {
  const id = randomBytes(12).toString('hex');
  const session = `cs_test_bench_${id}`;
  const now = Math.floor(Date.now() / 1000);
  const object = { id: session, customer: `cus_bench${id}`, created: now - 60 };
  return { body: eventBody(withChanges(PAID, { id: newEventId(), created: now, data: { object } })), session };
}

/** Each platform's success answer, sent after `delayMs` (a slow but healthy ad platform). */
export function slowPlatforms(world: World, delayMs: number): void {
  const sent = (r: RecordedRequest) => ((r.body as { data?: unknown[] }).data ?? []).length;
  const tiktok = (): FakeResponse => ({ status: 200, delayMs, body: { code: 0, message: 'OK', request_id: `bench${Date.now()}`, data: {} } });
  const meta = (r: RecordedRequest): FakeResponse => ({
    status: 200,
    delayMs,
    body: { events_received: sent(r), messages: [], fbtrace_id: 'BenchTrace' },
  });
  // 0 restores the fakes' own immediate success answers.
  world.tiktok.respondBy(delayMs > 0 ? tiktok : undefined);
  world.meta.respondBy(delayMs > 0 ? meta : undefined);
}

export async function outboxStatuses(world: World): Promise<Record<string, number>> {
  const rows = await world.tdb.sql`select status, count(*)::int as n from conversion_outbox group by status`;
  return Object.fromEntries(rows.map((r) => [r.status as string, r.n as number]));
}

/** Empty tables before each scenario, so every scenario starts at the same table and index sizes. */
export async function resetTables(world: World): Promise<void> {
  // cascade: later migrations add tables that reference these (e.g. payment adjustments).
  await world.tdb.sql.unsafe('truncate delivery_attempts, conversion_outbox, entitlements, purchases, customers, stripe_events cascade');
}
