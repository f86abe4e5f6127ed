/**
 * Subscriptions kept in sync with Stripe on real PostgreSQL: the first events in any order, every
 * status, plan changes, stale and same-second events, and the live/test-mode and api_version guards.
 */
import type Stripe from 'stripe';
import { beforeEach, describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness, testNowSeconds } from '../support/harness.ts';
import { tiktokEventsSent as tiktokEvents, metaEventsSent as metaEvents } from '../support/fake-platforms.ts';
import { prices } from '../support/fake-stripe.ts';
import {
  EUR,
  T0,
  USD_TRIAL,
  eurCheckoutCompleted,
  eurFirstInvoicePaid,
  eurSubscription,
  subscriptionEvent,
  usdTrialSubscription,
} from '../support/lifecycle-events.ts';


function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

const PERIOD1_END = EUR.period1.end;

/**
 * Stripe's real first events of a card checkout: the subscription is created incomplete, its first
 * invoice is paid, the subscription turns active, Checkout completes.
 */
const firstEvents = (createdAt: number) => ({
  'subscription.created': () => subscriptionEvent('customer.subscription.created', eurSubscription({ status: 'incomplete' }), createdAt),
  'invoice.paid': () => eurFirstInvoicePaid(),
  'subscription.updated': () => subscriptionEvent('customer.subscription.updated', eurSubscription(), T0 + 9, { status: 'incomplete' }),
  'checkout.completed': () => eurCheckoutCompleted(),
});

describe.skipIf(!hasPostgres)('subscription lifecycle on PostgreSQL', () => {
  const h = useHarness();
  beforeEach(() => {
    h.stripe.setObject('subscriptions', EUR.subscription, eurSubscription());
  });

  const subscriptionRow = async (id = EUR.subscription) =>
    (await h.tdb.sql`select status, customer_key, items, cancel_at_period_end, checkout_session_id,
                            extract(epoch from current_period_end)::int as period_end,
                            extract(epoch from trial_end)::int as trial_end
                       from subscriptions where id = ${id}`)[0];
  const entitlementRows = async (source = EUR.subscription) =>
    h.tdb.sql`select product_id, price_id, quantity, status, extract(epoch from valid_until)::int as valid_until, revoked_by
                from entitlements where source_id = ${source} order by product_id`;
  const subscriptionGets = (id = EUR.subscription) => h.stripe.requests.filter((r) => r.method === 'GET' && r.path === `/v1/subscriptions/${id}`);

  describe.each([
    { variant: 'created and updated seconds apart', createdAt: T0 + 1, refetches: 0 },
    // Whichever of the two comes second disagrees with the stored state in the same second: the
    // subscription is re-read from Stripe (active) once.
    { variant: 'created and updated in the same second', createdAt: T0 + 9, refetches: 1 },
  ])('the first four events in all 24 orders ($variant)', ({ createdAt, refetches }) => {
    const events = firstEvents(createdAt);
    const orders = permutations(Object.keys(events) as (keyof typeof events)[]);

    it.each(orders.map((order) => [order.join(' → '), order] as const))('%s', async (_name, order) => {
      for (const name of order) {
        const res = await h.post(events[name]());
        expect(res.status).toBe(200);
      }
      await h.settle();
      await h.drain();

      expect(await subscriptionRow()).toEqual({
        status: 'active',
        customer_key: EUR.customer,
        items: [{ product_id: EUR.product, price_id: EUR.price, quantity: 1 }],
        cancel_at_period_end: false,
        checkout_session_id: EUR.session,
        period_end: PERIOD1_END,
        trial_end: null,
      });
      expect(await h.tdb.sql`select customer_key, source_type, product_id, price_id, quantity, status, purchase_id, revoked_by,
                                    extract(epoch from valid_until)::int as valid_until from entitlements`).toEqual([
        {
          customer_key: EUR.customer, source_type: 'subscription', product_id: EUR.product, price_id: EUR.price, quantity: 1,
          status: 'active', purchase_id: EUR.session, revoked_by: null, valid_until: PERIOD1_END,
        },
      ]);
      expect(await h.tdb.sql`select checkout_session_id, status, subscription_id from purchases`).toEqual([
        { checkout_session_id: EUR.session, status: 'paid', subscription_id: EUR.subscription },
      ]);
      expect(await h.tdb.sql`select customer_key, user_id, email from customers`).toEqual([
        { customer_key: EUR.customer, user_id: EUR.userId, email: EUR.email },
      ]);
      expect(await h.tdb.sql`select id, status from invoices`).toEqual([{ id: EUR.firstInvoice, status: 'paid' }]);
      expect(await h.tdb.sql`select destination, event_name, event_id, kind, status from conversion_outbox order by destination, event_name`).toEqual([
        { destination: 'meta', event_name: 'Purchase', event_id: EUR.session, kind: 'purchase', status: 'delivered' },
        { destination: 'meta', event_name: 'Subscribe', event_id: EUR.session, kind: 'subscribe', status: 'delivered' },
        { destination: 'tiktok', event_name: 'CompletePayment', event_id: EUR.session, kind: 'purchase', status: 'delivered' },
        { destination: 'tiktok', event_name: 'Subscribe', event_id: EUR.session, kind: 'subscribe', status: 'delivered' },
      ]);
      expect(tiktokEvents(h.tiktok.requests)).toEqual([`CompletePayment:${EUR.session}`, `Subscribe:${EUR.session}`]);
      expect(metaEvents(h.meta.requests)).toEqual([`Purchase:${EUR.session}`, `Subscribe:${EUR.session}`]);
      expect(subscriptionGets()).toHaveLength(refetches);
    });
  });

  it('the four first events delivered at once, over four connections, settle in the same state', async () => {
    const apps = [h.newApp(), h.newApp(), h.newApp(), h.newApp()];
    for (const createdAt of Array.from({ length: 10 }, (_, round) => (round % 2 ? T0 + 9 : T0 + 1))) {
      await h.reset();
      const results = await Promise.all(Object.values(firstEvents(createdAt)).map((event, i) => h.post(event(), { app: apps[i] })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      await h.settle();
      expect(await subscriptionRow()).toMatchObject({ status: 'active', period_end: PERIOD1_END, checkout_session_id: EUR.session });
      expect(await h.tdb.sql`select status, purchase_id, extract(epoch from valid_until)::int as valid_until from entitlements`).toEqual([
        { status: 'active', purchase_id: EUR.session, valid_until: PERIOD1_END },
      ]);
      expect(await h.tdb.sql`select status from purchases`).toEqual([{ status: 'paid' }]);
      expect(await h.tdb.sql`select event_name, event_id from conversion_outbox order by event_name`).toEqual(
        ['CompletePayment', 'Purchase', 'Subscribe', 'Subscribe'].map((event_name) => ({ event_name, event_id: EUR.session })),
      );
    }
  });

  it('keeps status, price, quantity, trial end, period end and cancel-at-period-end in sync', async () => {
    const created = subscriptionEvent('customer.subscription.created', usdTrialSubscription(), T0 + 600);
    await h.post(created);
    expect(await subscriptionRow(USD_TRIAL.subscription)).toMatchObject({
      status: 'trialing', trial_end: USD_TRIAL.trialEnd, period_end: USD_TRIAL.trialEnd,
      items: [{ product_id: USD_TRIAL.product, price_id: USD_TRIAL.price, quantity: 1 }],
    });
    expect(await entitlementRows(USD_TRIAL.subscription)).toEqual([
      { product_id: USD_TRIAL.product, price_id: USD_TRIAL.price, quantity: 1, status: 'trialing', valid_until: USD_TRIAL.trialEnd, revoked_by: null },
    ]);

    // Five seats, and the customer cancels at the end of the trial.
    const seats = usdTrialSubscription({ quantity: 5, cancelAtPeriodEnd: true, canceledAt: T0 + 700 });
    await h.post(subscriptionEvent('customer.subscription.updated', seats, T0 + 700, { quantity: 1, cancel_at_period_end: false }));
    expect(await subscriptionRow(USD_TRIAL.subscription)).toMatchObject({ status: 'trialing', cancel_at_period_end: true, items: [{ quantity: 5 }] });
    const [row] = await h.tdb.sql`select extract(epoch from cancel_at)::int as cancel_at from subscriptions`;
    expect(row).toEqual({ cancel_at: USD_TRIAL.trialEnd });
    expect(await entitlementRows(USD_TRIAL.subscription)).toMatchObject([{ quantity: 5, status: 'trialing', valid_until: USD_TRIAL.trialEnd }]);
  });

  it.each([
    ['trialing', 'trialing'],
    ['active', 'active'],
    ['past_due', 'past_due'],
    ['canceled', 'revoked'],
    ['unpaid', 'revoked'],
    ['incomplete_expired', 'revoked'],
  ] as const)('a subscription that becomes %s leaves its entitlement %s', async (status, entitlement) => {
    // incomplete_expired only follows an incomplete start whose first payment never came.
    const before = status === 'incomplete_expired' ? 'incomplete' : 'active';
    if (before === 'incomplete') {
      await h.post(subscriptionEvent('customer.subscription.created', eurSubscription({ status: 'incomplete' }), T0 + 1));
    } else {
      await h.post(eurCheckoutCompleted());
    }
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status }), T0 + 100, { status: before }));
    expect(await subscriptionRow()).toMatchObject({ status });
    const [row] = await entitlementRows();
    expect(row).toMatchObject({ status: entitlement, revoked_by: entitlement === 'revoked' ? 'subscription' : null });
    const access = await h.tdb.sql`select status in ('active', 'trialing', 'past_due') as access from entitlements`;
    expect(access).toEqual([{ access: ['trialing', 'active', 'past_due'].includes(status) }]);
  });

  it('a plan change moves access to the new product and revokes the old one', async () => {
    await h.post(eurCheckoutCompleted());
    const team = { ...prices.teamUsd, id: 'price_1TmEurLPRxFx7Qa2kq8Zp3Yd', currency: 'eur', lookup_key: 'team_monthly_eur' };
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ price: team, quantity: 2 }), T0 + 200, {}));
    expect(await entitlementRows()).toMatchObject([
      { product_id: EUR.product, price_id: EUR.price, quantity: 1, status: 'revoked', revoked_by: 'subscription' },
      { product_id: USD_TRIAL.product, price_id: team.id, quantity: 2, status: 'active', valid_until: PERIOD1_END, revoked_by: null },
    ]);
  });

  describe('order and staleness', () => {
    const canceled = () => eurSubscription({ status: 'canceled', canceledAt: T0 + 500, endedAt: T0 + 500 });

    it.each([
      ['older', T0 + 400],
      ['same-second', T0 + 500],
      ['newer', T0 + 600],
    ])('deleted, then a late %s updated{active}: stays canceled, no refetch', async (_name, lateAt) => {
      await h.post(eurCheckoutCompleted());
      await h.post(subscriptionEvent('customer.subscription.deleted', canceled(), T0 + 500));
      const late = await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription(), lateAt, { cancel_at_period_end: true }));
      expect(late.body).toMatchObject({ outcome: 'processed' });
      expect(await subscriptionRow()).toMatchObject({ status: 'canceled' });
      expect(await entitlementRows()).toMatchObject([{ status: 'revoked', revoked_by: 'subscription', valid_until: T0 + 500 }]);
      expect(subscriptionGets()).toHaveLength(0);
    });

    it('an older event never regresses a newer state', async () => {
      const period2 = { start: PERIOD1_END, end: PERIOD1_END + 31 * 86_400 };
      await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ period: period2 }), T0 + 900, {}));
      await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due' }), T0 + 800, {}));
      expect(await subscriptionRow()).toMatchObject({ status: 'active', period_end: period2.end });
      expect(await h.count('stripe_events')).toBe(2);
      expect(subscriptionGets()).toHaveLength(0);
    });

    it.each([
      ['past_due then active; Stripe says active', 'past_due', 'active', 'active'],
      ['active then past_due; Stripe says active', 'active', 'past_due', 'active'],
      ['active then past_due; Stripe says past_due', 'active', 'past_due', 'past_due'],
      ['past_due then active; Stripe says past_due', 'past_due', 'active', 'past_due'],
    ] as const)('two states in the same second (%s): re-read and stored as the API has it', async (_name, first, second, current) => {
      h.stripe.setObject('subscriptions', EUR.subscription, eurSubscription({ status: current }));
      await h.post(eurCheckoutCompleted());
      await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: first }), T0 + 300, {}));
      expect(subscriptionGets()).toHaveLength(0);
      const tie = await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: second }), T0 + 300, {}));
      expect(tie.body).toMatchObject({ outcome: 'processed' });
      expect(subscriptionGets()).toHaveLength(1);
      expect(h.logs.some((l) => l.includes('re-reading the subscription from Stripe'))).toBe(true);
      expect(await subscriptionRow()).toMatchObject({ status: current });
      expect(await entitlementRows()).toMatchObject([{ status: current }]);
      // The event is recorded once, despite the retried transaction.
      expect(await h.count('stripe_events', "type = 'customer.subscription.updated'")).toBe(2);
    });

    it('a second event for the same state in the same second needs no refetch', async () => {
      const event = subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due' }), T0 + 300, {});
      await h.post(event);
      await h.post({ ...event, id: `${event.id.slice(0, -1)}x` });
      expect(subscriptionGets()).toHaveLength(0);
      expect(await subscriptionRow()).toMatchObject({ status: 'past_due' });
    });

    it('stores the re-read state even when the Stripe event is ahead of the function clock', async () => {
      // Stripe's clock a few seconds ahead of this instance's: the re-read state is at least as new as the event.
      const ahead = testNowSeconds() + 5;
      await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due' }), ahead, {}));
      await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'active' }), ahead, {}));
      expect(subscriptionGets()).toHaveLength(1);
      expect(await subscriptionRow()).toMatchObject({ status: 'active' });
    });
  });

  describe('guards', () => {
    it('records and ignores a live-mode event on a test-mode deployment, with a log line', async () => {
      const live = subscriptionEvent('customer.subscription.updated', eurSubscription({ livemode: true }), T0 + 100, {});
      const res = await h.post(live);
      expect(res).toEqual({ status: 200, body: { received: true, outcome: 'ignored' } });
      expect(await h.tdb.sql`select outcome, detail, livemode from stripe_events`).toEqual([
        { outcome: 'ignored', detail: 'live-mode event on a test-mode deployment', livemode: true },
      ]);
      expect(await h.count('subscriptions')).toBe(0);
      const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.msg === 'event ignored');
      expect(line).toMatchObject({ level: 'warn', event_id: live.id, detail: 'live-mode event on a test-mode deployment' });
    });

    it('records and ignores a test-mode event on a live-mode deployment', async () => {
      const app = h.newApp({ STRIPE_SECRET_KEY: 'sk_live_harness' });
      const res = await h.post(eurCheckoutCompleted(), { app });
      expect(res.body).toMatchObject({ outcome: 'ignored' });
      expect(await h.count('purchases')).toBe(0);
      expect(await h.count('stripe_events', "outcome = 'ignored' and detail = 'test-mode event on a live-mode deployment'")).toBe(1);
      expect(h.stripe.requests).toHaveLength(0);
    });

    it('processes an event of another api_version when it parses, and logs the difference', async () => {
      const newer = { ...subscriptionEvent('customer.subscription.updated', eurSubscription(), T0 + 100, {}), api_version: '2027-01-27.fennel' };
      const res = await h.post(newer as Stripe.Event);
      expect(res.body).toMatchObject({ outcome: 'processed' });
      expect(await subscriptionRow()).toMatchObject({ status: 'active', period_end: PERIOD1_END });
      const line = h.logs.map((l) => JSON.parse(l) as Record<string, unknown>).find((l) => l.api_version === '2027-01-27.fennel');
      expect(line).toMatchObject({ level: 'info', msg: expect.stringContaining('api_version'), pinned: '2026-10-28.endive', event_id: newer.id });
    });

    it('reads the period of an endpoint pinned before basil from the subscription itself', async () => {
      // 2024-06-20: current_period_* on the subscription, not on its items.
      const sub = eurSubscription({ status: 'past_due' }) as unknown as Record<string, unknown> & { items: { data: Record<string, unknown>[] } };
      const [item] = sub.items.data;
      const legacy = {
        ...sub,
        current_period_start: EUR.period1.start,
        current_period_end: PERIOD1_END,
        items: { ...sub.items, data: [{ ...item, current_period_start: undefined, current_period_end: undefined }] },
      };
      const event = { ...subscriptionEvent('customer.subscription.updated', legacy as never, T0 + 100, {}), api_version: '2024-06-20' };
      expect((await h.post(event as Stripe.Event)).body).toMatchObject({ outcome: 'processed' });
      expect(await subscriptionRow()).toMatchObject({ status: 'past_due', period_end: PERIOD1_END });
      expect(await h.count('entitlements', `valid_until = to_timestamp(${PERIOD1_END})`)).toBe(1);
    });
  });
});
