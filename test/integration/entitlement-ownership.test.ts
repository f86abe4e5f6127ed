/**
 * Two app users on one Stripe customer: each reads only what their own Checkout Session bought, in
 * whichever order the subscription's and the checkout's events arrive; what a session bought without
 * client_reference_id belongs to no user. Then: rows that the functions before migration
 * 20261205000200 gave to the wrong user are corrected by it, on PostgreSQL and on PGlite.
 */
import { cp, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, type MigrationTarget } from '../../src/db/migrations.ts';
import { pgliteMigrationTarget } from '../../src/db/pglite.ts';
import { postgresMigrationTarget } from '../../src/db/postgres.ts';
import { lineItemsFor } from '../support/fake-stripe.ts';
import { freshDatabase, hasPostgres } from '../support/pg.ts';
import { useHarness, type Harness } from '../support/harness.ts';
import { EUR, T0, eurCheckoutCompleted, eurSubscription, subscriptionEvent, type SubscriptionState } from '../support/lifecycle-events.ts';
import { withChanges } from '../support/stripe-sign.ts';

type Row = Record<string, unknown>;
const OWNERSHIP_MIGRATION = '20261205000200';

/** D: a second app user buying a subscription with the Stripe customer of Lena (C). */
const D = {
  userId: '5d0c6f3e-2b7a-4c19-9e8d-7f6a5b4c3d2e',
  session: 'cs_test_d1SharedCustomerSecondUserSubscription0000000000000000000000',
  subscription: 'sub_1SharedCusDRxFx7Qa2Owner01',
} as const;
const dSubscription = (state: SubscriptionState = {}) => ({ ...eurSubscription(state), id: D.subscription, latest_invoice: null });
const dCheckout = (userId: string | null = D.userId) =>
  withChanges(
    eurCheckoutCompleted(),
    { created: T0 + 40, data: { object: { id: D.session, subscription: D.subscription, invoice: null, client_reference_id: userId } } },
    { newId: true },
  );
const dCreated = () => subscriptionEvent('customer.subscription.created', dSubscription(), T0 + 30);
const dUpdated = () => subscriptionEvent('customer.subscription.updated', dSubscription({ status: 'past_due' }), T0 + 90, { status: 'active' });

/** What `userId` reads through my_entitlements(), as Supabase's authenticated role. */
async function readsAs(h: Harness, userId: string): Promise<string[]> {
  const conn = await h.tdb.sql.reserve();
  try {
    await conn.unsafe('begin');
    await conn.unsafe('set local role authenticated');
    await conn.unsafe(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: userId, role: 'authenticated' })]);
    return (await conn.unsafe('select source_id from my_entitlements() order by source_id')).map((r) => r.source_id as string);
  } finally {
    await conn.unsafe('rollback');
    conn.release();
  }
}

describe.skipIf(!hasPostgres)('ownership on a shared Stripe customer, through the webhook', () => {
  const h = useHarness((h) => h.stripe.setLineItems(D.session, lineItemsFor.eurSubscription));
  const ownerOfD = async () => (await h.tdb.sql`select user_id from entitlements where source_id = ${D.subscription}`).map((r) => r.user_id);

  it('subscription events before the checkout: nobody’s until the session is known, then the buyer’s', async () => {
    await h.post(eurCheckoutCompleted());
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);

    expect((await h.post(dCreated())).status).toBe(200);
    expect(await ownerOfD()).toEqual([null]);
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);
    expect(await readsAs(h, D.userId)).toEqual([]);

    expect((await h.post(dCheckout())).body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    expect(await readsAs(h, D.userId)).toEqual([D.subscription]);
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);

    await h.post(dUpdated());
    expect(await ownerOfD()).toEqual([D.userId]);
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);
  });

  it('the checkout before the subscription events: the buyer’s throughout', async () => {
    await h.post(eurCheckoutCompleted());
    await h.post(dCheckout());
    expect(await readsAs(h, D.userId)).toEqual([D.subscription]);
    await h.post(dCreated());
    await h.post(dUpdated());
    expect(await ownerOfD()).toEqual([D.userId]);
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);
  });

  it.each([
    ['subscription first', [dCreated, () => dCheckout(null), dUpdated]],
    ['checkout first', [() => dCheckout(null), dCreated, dUpdated]],
  ] as const)('bought without client_reference_id on another user’s customer (%s): no user’s, for good', async (_order, events) => {
    await h.post(eurCheckoutCompleted());
    for (const event of events) expect((await h.post(event())).status).toBe(200);
    expect(await ownerOfD()).toEqual([null]);
    expect(await readsAs(h, EUR.userId)).toEqual([EUR.subscription]);
    expect(await h.count('entitlements', `source_id = '${D.subscription}' and status = 'past_due'`)).toBe(1);
  });
});

// ---------------------------------------------------------------------------------------------
// The correction of rows already mis-owned, run as a real upgrade on each engine.

interface Engine {
  target: MigrationTarget;
  query: (sql: string) => Promise<Row[]>;
  record: (p: object) => Promise<unknown>;
}

const sub = (eventId: string, id: string, created: number) => ({
  event: { id: eventId, type: 'customer.subscription.created', created, livemode: false, data: { object: { id } } },
  command: {
    action: 'subscription', as_of: created, refetched: false,
    subscription: { id, customer_id: 'cus_shared', status: 'active', items: [{ product_id: 'prod_pro', price_id: 'price_pro', quantity: 1 }], cancel_at_period_end: false, current_period_end: created + 2_592_000, livemode: false },
  },
});
const checkout = (eventId: string, session: string, subscription: string, userId: string | null) => ({
  event: { id: eventId, type: 'checkout.session.completed', created: 1_795_421_000, livemode: false, data: { object: { id: session } } },
  command: {
    action: 'checkout',
    purchase: { checkout_session_id: session, mode: 'subscription', status: 'paid', payment_status: 'paid', amount_total: 1900, currency: 'eur', subscription_id: subscription, livemode: false },
    customer: { customer_key: 'cus_shared', stripe_customer_id: 'cus_shared', user_id: userId, livemode: false },
    entitlements: [{ source_type: 'subscription', source_id: subscription, product_id: 'prod_pro', price_id: 'price_pro', quantity: 1, status: 'active', reason: 'paid' }],
    conversions: [],
  },
});

async function upgradeFixesOwners(engine: Engine, earlierOnly: string): Promise<void> {
  expect(await migrate(engine.target, earlierOnly)).not.toContain(OWNERSHIP_MIGRATION);
  const { record } = engine;
  await record(checkout('evt_up_c1', 'cs_up_c', 'sub_up_c', 'user-c'));
  await record(sub('evt_up_d1', 'sub_up_d', 1_795_421_100)); // D's sync before D's checkout
  await record(sub('evt_up_f1', 'sub_up_f', 1_795_421_200)); // bought without client_reference_id
  await record(checkout('evt_up_f2', 'cs_up_f', 'sub_up_f', null));
  const owners = async () =>
    Object.fromEntries((await engine.query('select source_id, user_id from public.entitlements order by 1')).map((r) => [r.source_id, r.user_id]));
  // What the earlier functions did: both went to the customer's first user.
  expect(await owners()).toEqual({ sub_up_c: 'user-c', sub_up_d: 'user-c', sub_up_f: 'user-c' });

  expect(await migrate(engine.target)).toContain(OWNERSHIP_MIGRATION);
  expect(await owners()).toEqual({ sub_up_c: 'user-c', sub_up_d: null, sub_up_f: null });
  await record(checkout('evt_up_d2', 'cs_up_d', 'sub_up_d', 'user-d'));
  expect(await owners()).toEqual({ sub_up_c: 'user-c', sub_up_d: 'user-d', sub_up_f: null });
}

describe('upgrading corrects entitlements already given to the wrong user', () => {
  const withEarlierMigrations = async (run: (dir: string) => Promise<void>) => {
    const dir = await mkdtemp(join(tmpdir(), 'migrations-before-ownership-'));
    try {
      for (const file of await readdir(MIGRATIONS_DIR)) {
        if (file.endsWith('.sql') && file < OWNERSHIP_MIGRATION) await cp(join(MIGRATIONS_DIR, file), join(dir, file));
      }
      await run(dir);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  };

  it.skipIf(!hasPostgres)('on PostgreSQL', async () => {
    const tdb = await freshDatabase({ migrate: false });
    try {
      const engine: Engine = {
        target: postgresMigrationTarget(tdb.sql),
        query: async (text) => [...(await tdb.sql.unsafe(text))],
        record: (p) => tdb.sql`select public.stripe_record_event(${tdb.sql.json(p as never)})`,
      };
      await withEarlierMigrations((dir) => upgradeFixesOwners(engine, dir));
    } finally {
      await tdb.drop();
    }
  });

  it('on PGlite', async () => {
    const pg = await PGlite.create();
    try {
      const engine: Engine = {
        target: pgliteMigrationTarget(pg),
        query: async (text) => (await pg.query<Row>(text)).rows,
        record: (p) => pg.query('select public.stripe_record_event($1::jsonb)', [JSON.stringify(p)]),
      };
      await withEarlierMigrations((dir) => upgradeFixesOwners(engine, dir));
    } finally {
      await pg.close();
    }
  });
});
