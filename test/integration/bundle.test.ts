import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../scripts/build.ts';
import { freshDatabase, hasPostgres, type TestDatabase } from '../support/pg.ts';
import { loadEvent, eventBody, signedRequest } from '../support/stripe-sign.ts';

type Handler = (req: Request, context: unknown) => Promise<Response>;
const SECRET = 'whsec_test_secret_for_unit_tests_only';

/** The artifacts Netlify deploys, exercised as deployed: bundled, imported, called with a Request. */
describe.skipIf(!hasPostgres)('bundled functions', () => {
  let outdir: string;
  let files: string[];
  let tdb: TestDatabase;

  beforeAll(async () => {
    outdir = await mkdtemp(path.join(tmpdir(), 'functions-'));
    files = await buildFunctions(outdir);
    tdb = await freshDatabase();
    // The deployed bundle reads its settings from the environment, like on Netlify.
    Object.assign(process.env, { STRIPE_WEBHOOK_SECRET: SECRET, DATABASE_URL: tdb.url, LOG_LEVEL: 'error' });
  });
  afterAll(async () => {
    await tdb?.drop();
    await rm(outdir, { recursive: true, force: true });
  });

  const load = async (name: string) =>
    (await import(pathToFileURL(path.join(outdir, `${name}.mjs`)).href)) as { default: Handler; config?: { schedule?: string } };

  it('builds one self-contained file per function, without the embedded database or the migrations', async () => {
    const entries = (await readdir('netlify/functions')).filter((f) => f.endsWith('.ts'));
    expect(files.map((f) => path.basename(f)).sort()).toEqual(entries.map((f) => f.replace(/\.ts$/, '.mjs')).sort());
    for (const file of files) {
      const code = await readFile(file, 'utf8');
      expect(code).not.toMatch(/from\s*["'](stripe|zod|postgres|@supabase)/);
      // Not even a lazy import: Netlify's packager would follow it and ship PGlite in the zip.
      expect(code).not.toContain('@electric-sql/pglite');
      expect(code).not.toContain('supabase/migrations');
    }
  });

  it('refuses the embedded database when deployed: nothing is opened without a configured database', async () => {
    const dataDir = path.join(outdir, 'embedded');
    const { DATABASE_URL } = process.env;
    delete process.env.DATABASE_URL;
    process.env.DATA_DIR = dataDir;
    try {
      // A fresh instance of the bundle, so it reads this environment on its first call.
      const drain = (await import(`${pathToFileURL(path.join(outdir, 'conversions-drain.mjs')).href}?no-database`)) as { default: Handler };
      const res = await drain.default(new Request('http://localhost/.netlify/functions/conversions-drain', { method: 'POST' }), {});
      expect(res.status).toBe(500);
      expect(existsSync(dataDir)).toBe(false);
    } finally {
      process.env.DATABASE_URL = DATABASE_URL;
      delete process.env.DATA_DIR;
    }
  });

  it('the webhook bundle verifies, provisions and answers', async () => {
    const webhook = await load('stripe-webhook');
    const waits: Promise<unknown>[] = [];
    const body = eventBody(loadEvent('checkout.session.completed.payment.usd.paid'));
    const res = await webhook.default(signedRequest('http://localhost/.netlify/functions/stripe-webhook', body, SECRET), {
      waitUntil: (p: Promise<unknown>) => waits.push(p),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'processed', purchase_status: 'paid' });
    await Promise.all(waits);
    const rows = await tdb.sql`select destination, status from conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', status: 'skipped' },
      { destination: 'tiktok', status: 'skipped' },
    ]);
  });

  it('the drain bundle is scheduled every minute and runs when called', async () => {
    const drain = await load('conversions-drain');
    expect(drain.config).toEqual({ schedule: '* * * * *' });
    const res = await drain.default(new Request('http://localhost/.netlify/functions/conversions-drain', { method: 'POST' }), {});
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ claimed: 0 });
  });

  it('the checkout bundle carries neither the Stripe SDK nor the phone metadata, and answers as deployed', async () => {
    const code = await readFile(path.join(outdir, 'create-checkout-session.mjs'), 'utf8');
    expect(code).not.toContain('StripeResource');
    expect(code).not.toContain('libphonenumber');
    Object.assign(process.env, { CHECKOUT_PRICES: 'price_1OnlyThisOne', URL: 'https://shop.example', STRIPE_SECRET_KEY: 'sk_test_bundle' });
    const checkout = await load('create-checkout-session');
    const call = (init: RequestInit) => checkout.default(new Request('http://localhost/.netlify/functions/create-checkout-session', init), { ip: '127.0.0.1', waitUntil: () => {} });
    const preflight = await call({ method: 'OPTIONS', headers: { origin: 'https://shop.example' } });
    expect(preflight.status).toBe(204);
    const refused = await call({ method: 'POST', body: JSON.stringify({ price: 'price_1NotForSale' }) });
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ error: 'price price_1NotForSale is not for sale here' });
  });

  it('the track bundle carries Netlify\'s rate-limit rule and queues an event', async () => {
    const track = await load('track');
    expect((track as { config?: unknown }).config).toEqual({
      rateLimit: { windowLimit: 60, windowSize: 60, aggregateBy: ['ip', 'domain'], action: 'rate_limit' },
    });
    const waits: Promise<unknown>[] = [];
    const res = await track.default(
      new Request('http://localhost/.netlify/functions/track', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-nf-client-connection-ip': '203.0.113.5' },
        body: JSON.stringify({ event_name: 'Lead', event_id: 'bundle-lead-1' }),
      }),
      { waitUntil: (p: Promise<unknown>) => waits.push(p) },
    );
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ accepted: 1 });
    await Promise.all(waits);
    const rows = await tdb.sql`select destination, origin from conversion_outbox where event_id = 'bundle-lead-1' order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', origin: 'browser' },
      { destination: 'tiktok', origin: 'browser' },
    ]);
  });
});
