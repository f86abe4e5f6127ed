import type { Context } from '@netlify/functions';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { createApp, deliverSafely, setApp, type App } from '../../src/app.ts';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { loadConfig } from '../../src/config.ts';
import { createLogger } from '../../src/log.ts';
import type { DeliveryReport } from '../../src/outbox/deliver.ts';
import { handleStripeWebhook } from '../../src/webhook/handle.ts';
import stripeWebhook from '../../netlify/functions/stripe-webhook.ts';
import type { FakeStripe } from './fake-stripe.ts';
import type { FakePlatform } from './fake-platforms.ts';
import type { TestDatabase } from './pg.ts';
import { startLocalServices } from './local-services.ts';
import { captureLogLine } from './log-scan.ts';
import { eventBody, signedRequest } from './stripe-sign.ts';

export const WEBHOOK_SECRET = 'whsec_test_secret_for_unit_tests_only';
export const WEBHOOK_URL = 'http://127.0.0.1/.netlify/functions/stripe-webhook';

/**
 * The product's clock in tests: it runs from an hour after the fixtures' events, so they are always
 * as fresh as on the day they were written (platforms refuse events older than 7 days).
 */
const FIXTURE_NOW_MS = (1_795_420_800 + 3_600) * 1000;
const startedAt = Date.now();
export const testNow = () => FIXTURE_NOW_MS + (Date.now() - startedAt);
export const testNowSeconds = () => Math.floor(testNow() / 1000);

/**
 * The product wired to real parts: a private database on the test PostgreSQL server, the Stripe API
 * played by a local server, TikTok and Meta played by local servers — all reached through the same
 * settings a deployment uses. Log lines are captured for assertions.
 */
export interface Harness {
  tdb: TestDatabase;
  stripe: FakeStripe;
  tiktok: FakePlatform;
  meta: FakePlatform;
  logs: string[];
  env: Record<string, string>;
  /** A new app (its own connection pool): one per simulated function instance. */
  newApp(env?: Record<string, string>): App;
  /** POSTs a signed event through the Netlify entry function; background work is collected. */
  post(event: unknown, options?: { secret?: string; app?: App }): Promise<{ status: number; body: Record<string, unknown> }>;
  /** Waits for every after-response delivery started so far. */
  settle(): Promise<void>;
  drain(app?: App): Promise<DeliveryReport | null>;
  /** Empties every table and forgets what the fake servers received and were told to answer. */
  reset(): Promise<void>;
  count(table: string, where?: string): Promise<number>;
  close(): Promise<void>;
}

export async function startHarness(extraEnv: Record<string, string> = {}): Promise<Harness> {
  const services = await startLocalServices(WEBHOOK_SECRET);
  const { tdb, stripe, tiktok, meta } = services;
  const logs: string[] = [];
  const background: Promise<unknown>[] = [];
  const apps: App[] = [];
  const env: Record<string, string> = {
    ...services.env,
    STRIPE_SECRET_KEY: 'sk_test_harness',
    STRIPE_API_BASE_URL: stripe.baseUrl,
    DELIVERY_TIMEOUT_MS: '2000',
    LOG_LEVEL: 'debug',
    ...extraEnv,
  };
  const newApp = (overrides: Record<string, string> = {}) => {
    const app = createApp({
      config: loadConfig({ ...env, ...overrides }),
      log: createLogger('debug', (line) => (logs.push(line), captureLogLine(line))),
      dryRun: true,
      now: testNow,
    });
    apps.push(app);
    return app;
  };
  const defaultApp = newApp();

  const context = {
    requestId: 'test',
    waitUntil: (p: Promise<unknown>) => void background.push(p),
  } as unknown as Context;

  return {
    tdb,
    stripe,
    tiktok,
    meta,
    logs,
    env,
    newApp,
    async post(event, options = {}) {
      const body = typeof event === 'string' ? event : eventBody(event);
      const request = signedRequest(WEBHOOK_URL, body, options.secret ?? WEBHOOK_SECRET, { timestamp: testNowSeconds() });
      let response: Response;
      if (options.app) {
        const result = await handleStripeWebhook(request, webhookDeps(options.app));
        if (result.background) background.push(result.background);
        response = result.response;
      } else {
        setApp(defaultApp);
        response = await stripeWebhook(request, context);
      }
      return { status: response.status, body: (await response.json()) as Record<string, unknown> };
    },
    async settle() {
      while (background.length > 0) await Promise.allSettled(background.splice(0));
    },
    async reset() {
      await Promise.allSettled(background.splice(0));
      const tables = await tdb.sql`select tablename from pg_tables where schemaname = 'public'`;
      await tdb.sql.unsafe(`truncate ${tables.map((t) => `public.${t.tablename}`).join(', ')} cascade`);
      for (const fake of [tiktok, meta]) {
        fake.requests.length = 0;
        fake.respondBy(undefined);
      }
      stripe.requests.length = 0;
      logs.length = 0;
    },
    drain: (app = defaultApp) => deliverSafely(app, { deadline: testNow() + 10_000 }),
    async count(table, where = 'true') {
      const rows = await tdb.sql.unsafe(`select count(*)::int as n from public.${table} where ${where}`);
      return rows[0]?.n as number;
    },
    async close() {
      setApp(undefined);
      await Promise.allSettled(background);
      await Promise.all(apps.map(async (a) => (await a.db().catch(() => null))?.close()));
      await services.close();
    },
  };
}

/**
 * One harness for a test file: started before its tests, reset before each, closed after. The
 * returned object stands for the harness once started.
 */
export function useHarness(setup?: (h: Harness) => void | Promise<void>, env: Record<string, string> = {}): Harness {
  let current: Harness | undefined;
  beforeAll(async () => {
    current = await startHarness(env);
    await setup?.(current);
  });
  afterAll(async () => {
    await current?.close();
  });
  beforeEach(async () => {
    await current!.reset();
  });
  return new Proxy({} as Harness, {
    get: (_target, key) => {
      if (!current) throw new Error('the harness is used before it started');
      return current[key as keyof Harness];
    },
  });
}
