/**
 * Backfill from Stripe's event log: the fake Stripe API lists the events in pages (with a 429 in the
 * middle), and each is ingested through the webhook's own path.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import type Stripe from 'stripe';
import { backfill } from '../../src/ops/backfill.ts';
import { listEvents } from '../../src/ops/stripe-events.ts';
import { HANDLED_EVENTS } from '../../src/webhook/command-for-event.ts';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { ingestEvent } from '../../src/webhook/ingest.ts';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { fixtureNames, loadEvent, withChanges } from '../support/stripe-sign.ts';

const exec = promisify(execFile);
const SINCE = new Date('2026-11-20T00:00:00Z');

/** The account's log: every fixture but one of the two ends of the konbini payment, and a live-mode copy. */
function eventLog(): Stripe.Event[] {
  const events = fixtureNames.filter((n) => n !== 'checkout.session.async_payment_failed.jpy').map((n) => loadEvent(n) as Stripe.Event);
  const live = withChanges(loadEvent('checkout.session.completed.payment.usd.paid'), { livemode: true }, { newId: 'evt_backfill_live_mode' });
  return [...events, live];
}

describe.skipIf(!hasPostgres)('npm run backfill', () => {
  const h = useHarness();

  const counts = async () => ({
    events: await h.count('stripe_events'),
    purchases: await h.count('purchases'),
    entitlements: await h.count('entitlements'),
    outbox: await h.count('conversion_outbox'),
  });

  it('ingests every page once, oldest first, through 429s; a second run creates nothing', async () => {
    const log = eventLog();
    h.stripe.setEvents(log);
    h.stripe.rateLimitNext({ skip: 1, retryAfterSeconds: 1 });
    const listed = log.filter((e) => HANDLED_EVENTS.has(e.type));
    const deps = webhookDeps(h.newApp());
    const retries: number[] = [];
    const run = () =>
      backfill({
        pages: listEvents({ since: SINCE, types: [...HANDLED_EVENTS] }, {
          secretKey: h.env.STRIPE_SECRET_KEY!, baseUrl: h.stripe.baseUrl, timeoutMs: 2000, pageSize: 3,
          onRetry: ({ status }) => retries.push(status),
        }),
        ingest: async (event) => {
          const r = await ingestEvent(event, deps);
          return r.ok ? { ok: true, outcome: r.outcome } : { ok: false, reason: r.reason, detail: r.detail };
        },
      });

    const first = await run();
    expect(first).toMatchObject({ listed: listed.length, duplicate: 0, failed: 0 });
    expect(first.processed + first.ignored).toBe(listed.length);
    expect(retries).toEqual([429]);

    const calls = h.stripe.requests.filter((r) => r.path === '/v1/events');
    expect(calls.map((r) => r.status)).toEqual([200, 429, 200, 200, 200]);
    expect(calls[1]!.query.starting_after).toBe(calls[2]!.query.starting_after);
    expect(calls.every((r) => r.query['created[gte]'] === String(SINCE.getTime() / 1000) && r.query.limit === '3')).toBe(true);

    const rows = await h.tdb.sql`select id, outcome, detail from stripe_events order by received_at, id`;
    expect(rows.map((r) => r.id).sort()).toEqual(listed.map((e) => e.id).sort());
    const created = new Map(listed.map((e) => [e.id, e.created]));
    const times = rows.map((r) => created.get(r.id as string)!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    // The other mode's event is recorded and ignored, exactly as the webhook does.
    expect(rows.find((r) => r.id === 'evt_backfill_live_mode')).toMatchObject({ outcome: 'ignored', detail: expect.stringContaining('live-mode event') });
    expect(await h.count('purchases', "status = 'paid'")).toBeGreaterThan(0);

    const before = await counts();
    const second = await run();
    expect(second).toMatchObject({ listed: listed.length, processed: 0, ignored: 0, duplicate: listed.length, failed: 0 });
    expect(await counts()).toEqual(before);
  });

  it('as a command: plain progress lines and the summary; warns past Stripe\'s 30 days; --dry-run records nothing', async () => {
    h.stripe.setEvents(eventLog());
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...h.env, LOG_LEVEL: 'warn' };
    const cli = (...args: string[]) => exec(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', ...args], { env });

    const dry = await cli('--since', '2026-10-01', '--dry-run');
    expect(dry.stderr).toContain('Stripe keeps 30 days of events');
    expect(dry.stdout).toContain('dry run: 10 event(s)');
    expect(dry.stdout).toContain('checkout.session.completed: 6');
    expect(await h.count('stripe_events')).toBe(0);

    const real = await cli('--since', '2026-11-20');
    expect(real.stderr).not.toContain('30 days');
    expect(real.stdout).toContain('10/10 events');
    expect(real.stdout).toMatch(/processed \d+, duplicate 0, ignored \d+, failed 0 \(of 10 listed\)/);
    const again = await cli('--since', '2026-11-20');
    expect(again.stdout).toContain('processed 0, duplicate 10, ignored 0, failed 0 (of 10 listed)');
  });

  it('a key Stripe refuses: Stripe\'s message in one line, exit 2, nothing ingested', async () => {
    h.stripe.setEvents(eventLog());
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...h.env, STRIPE_SECRET_KEY: 'rk_test_revoked-key' };
    const run = exec(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', '--since', '2026-11-20'], { env });
    const error = (await run.then(() => undefined, (e: unknown) => e)) as { code: number; stderr: string } | undefined;
    expect(error).toMatchObject({ code: 2 });
    expect(error!.stderr.trim()).toMatch(/^Stripe API answered 401: Invalid API Key provided: rk_test_\S+; nothing was ingested$/);
    expect(await h.count('stripe_events')).toBe(0);
  });

  it('refuses an unreadable --since', async () => {
    const env = { PATH: process.env.PATH, HOME: process.env.HOME, ...h.env };
    await expect(exec(process.execPath, ['--import', 'tsx', 'scripts/backfill.ts', '--since', 'yesterday'], { env }))
      .rejects.toMatchObject({ stderr: expect.stringContaining('--since: expected a date') });
  });
});
