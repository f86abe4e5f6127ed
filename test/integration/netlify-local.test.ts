import { FunctionsHandler } from '@netlify/functions-dev';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../scripts/build.ts';
import { startLocalServices, type LocalServices } from '../support/local-services.ts';
import { hasPostgres } from '../support/pg.ts';
import { eventBody, loadEvent, signedRequest, withChanges } from '../support/stripe-sign.ts';

const SECRET = 'whsec_test_secret_for_netlify_local_tooling';
const BASE = 'http://127.0.0.1:8888/.netlify/functions';

/**
 * The built functions served by Netlify's own local runtime (@netlify/functions-dev, the layer under
 * `netlify dev` and @netlify/dev): it packages dist/functions with the packager Netlify deploys with,
 * runs each request in a fresh worker through the Lambda bootstrap, and invokes a scheduled function
 * the way Netlify's scheduler does (a POST as `Netlify Clockwork`).
 */
describe.skipIf(!hasPostgres)('built functions under Netlify local tooling', () => {
  let dir: string;
  let services: LocalServices;
  let functions: FunctionsHandler;

  const call = async (request: Request): Promise<Response> => {
    const match = await functions.match(request);
    if (!match) throw new Error(`no function serves ${request.url}`);
    return match.handle(request);
  };

  beforeAll(async () => {
    await mkdir('dist', { recursive: true });
    dir = await mkdtemp(path.resolve('dist/served-'));
    await buildFunctions(path.join(dir, 'functions'));
    services = await startLocalServices(SECRET);
    // Each invocation runs in a worker, which starts with this process's environment, as the
    // functions get their settings on Netlify.
    Object.assign(process.env, { ...services.env, LOG_LEVEL: 'error' });
    functions = new FunctionsHandler({
      projectRoot: process.cwd(),
      destPath: path.join(dir, 'serve'),
      userFunctionsPath: path.join(dir, 'functions'),
      config: { get: () => ({ functions: {} }) } as unknown as ConstructorParameters<typeof FunctionsHandler>[0]['config'],
      settings: { port: 8888 },
      geolocation: { city: 'Local', country: { code: 'DE', name: 'Germany' } },
    });
  });
  afterAll(async () => {
    await services?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('verifies and provisions a signed event, and the drain delivers what is due with its report', async () => {
    // A fresh event: the platforms refuse conversions older than 7 days, and the fixtures are older.
    const now = Math.floor(Date.now() / 1000);
    const fixture = loadEvent('checkout.session.completed.payment.usd.paid');
    const event = withChanges(fixture, { created: now, data: { object: { created: now } } }, { newId: true });
    // Both platforms fail once: the webhook's own attempt after its answer leaves the rows to retry.
    services.tiktok.respondWith({ status: 503, body: 'unavailable' });
    services.meta.respondWith({ status: 503, body: 'unavailable' });

    const res = await call(signedRequest(`${BASE}/stripe-webhook`, eventBody(event), SECRET));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ received: true, outcome: 'processed', purchase_status: 'paid' });

    const { sql } = services.tdb;
    await expect
      .poll(async () => (await sql`select count(*)::int as n from conversion_outbox where status = 'pending' and attempts = 1`)[0]!.n, { timeout: 15_000 })
      .toBe(2);
    // The retry falls due (backoff is 30 s), as it would before the next scheduled run.
    await sql`update conversion_outbox set next_attempt_at = now()`;

    const drain = await call(new Request(`${BASE}/conversions-drain`, { method: 'POST', body: '{"next_run":null}' }));
    expect(drain.status).toBe(200);
    expect(await drain.json()).toMatchObject({ claimed: 2, delivered: 2 });
    const rows = await sql`select destination, status from conversion_outbox order by destination`;
    expect(rows).toEqual([
      { destination: 'meta', status: 'delivered' },
      { destination: 'tiktok', status: 'delivered' },
    ]);
  });

  it('answers a wrong signature with 400, and the drain reports an empty run', async () => {
    const body = eventBody(loadEvent('checkout.session.completed.payment.usd.paid'));
    const res = await call(signedRequest(`${BASE}/stripe-webhook`, body, 'whsec_someone_else'));
    expect(res.status).toBe(400);
    const drain = await call(new Request(`${BASE}/conversions-drain`, { method: 'POST' }));
    expect(await drain.json()).toMatchObject({ claimed: 0 });
  });
});
