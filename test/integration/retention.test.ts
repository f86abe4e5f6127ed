import { describe, expect, it } from 'vitest';
import type { Context } from '@netlify/functions';
import conversionsDrain from '../../netlify/functions/conversions-drain.ts';
import { setApp, type App } from '../../src/app.ts';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { loadEvent } from '../support/stripe-sign.ts';

/** Retention rides on the scheduled drain: the entry Netlify calls every minute clears old payloads. */
describe.skipIf(!hasPostgres)('retention in the scheduled drain', () => {
  const h = useHarness();

  const drain = async (app: App) => {
    setApp(app);
    return conversionsDrain(new Request('http://127.0.0.1/.netlify/functions/conversions-drain', { method: 'POST', body: '{}' }), {} as Context);
  };
  const age = async (outboxDays: number, eventDays: number) => {
    await h.tdb.sql`update conversion_outbox set updated_at = now() - make_interval(days => ${outboxDays}), delivered_at = now() - make_interval(days => ${outboxDays})`;
    await h.tdb.sql`update stripe_events set received_at = now() - make_interval(days => ${eventDays})`;
  };
  const state = async () => ({
    outbox: await h.tdb.sql`select status, payload is null as cleared, cardinality(match_keys) > 0 as keys from conversion_outbox order by destination`,
    events: await h.tdb.sql`select outcome, payload is null as cleared from stripe_events`,
  });

  it('clears what is past the configured days and keeps outcomes and match keys', async () => {
    await h.post(loadEvent('checkout.session.completed.payment.usd.paid'));
    await h.settle();
    await age(20, 60);
    expect((await drain(h.newApp())).status).toBe(200);
    expect(await state()).toEqual({
      outbox: [{ status: 'delivered', cleared: false, keys: true }, { status: 'delivered', cleared: false, keys: true }],
      events: [{ outcome: 'processed', cleared: false }],
    });

    await drain(h.newApp({ OUTBOX_RETENTION_DAYS: '14', STRIPE_EVENT_RETENTION_DAYS: '30' }));
    expect(await state()).toEqual({
      outbox: [{ status: 'delivered', cleared: true, keys: true }, { status: 'delivered', cleared: true, keys: true }],
      events: [{ outcome: 'processed', cleared: true }],
    });
    expect(h.logs.some((l) => l.includes('retention cleared payloads') && l.includes('"outbox_cleared":2'))).toBe(true);
  });
});
