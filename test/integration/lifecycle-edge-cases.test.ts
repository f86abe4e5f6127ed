/**
 * Edge cases of the lifecycle on real PostgreSQL, each through the webhook: who owns a subscription
 * bought on a Stripe customer another user used first, revocations that a won dispute must not lift,
 * a refund or a closed dispute that arrives before the event it follows, a checkout that arrives
 * after its subscription ended, and a trial conversion that is not counted again as a renewal.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness, type Harness } from '../support/harness.ts';
import { lineItemsFor } from '../support/fake-stripe.ts';
import { tiktokEventsSent as tiktokEvents, metaEventsSent as metaEvents } from '../support/fake-platforms.ts';
import {
  EUR,
  T0,
  USD_TRIAL,
  disputeCreatedEvent,
  eurCheckoutCompleted,
  eurSubscription,
  invoice,
  invoiceEvent,
  subscriptionEvent,
  usdTrialCheckoutCompleted,
  usdTrialSubscription,
  type SubscriptionState,
  USD_CHARGE,
  disputeClosedEvent,
  refundEvent,
} from '../support/lifecycle-events.ts';
import { loadEvent, withChanges } from '../support/stripe-sign.ts';

type Row = Record<string, unknown>;

const DAY = 86_400;
const usdPaid = loadEvent('checkout.session.completed.payment.usd.paid');
const USD_SESSION = usdPaid.data.object.id;

/** A second subscription on Lena's Stripe customer, bought by another user of the app. */
const B = {
  userId: '0b7e4c2a-9d1f-4e36-8a5b-3c2d1e0f9a8b',
  session: 'cs_test_b1SecondUserSameCustomerNewSubscription000000000000000000000',
  subscription: 'sub_1SecondUsrRxFx7Qa2SameCus01',
  invoice: 'in_1SecondUsrRxFx7Qa2FirstInv1',
} as const;
const bSubscription = (state: SubscriptionState = {}) => ({ ...eurSubscription(state), id: B.subscription, latest_invoice: B.invoice });
const bCheckoutCompleted = () =>
  withChanges(
    eurCheckoutCompleted(),
    {
      created: T0 + 40,
      data: {
        object: {
          id: B.session,
          subscription: B.subscription,
          invoice: B.invoice,
          client_reference_id: B.userId,
          customer_details: { email: 'second.user@example.org' },
        },
      },
    },
    { newId: true },
  );

const refund = refundEvent;

/** Runs `query` as `authenticated` with this user's JWT, in a transaction rolled back after. */
async function asUser(h: Harness, userId: string, query: string): Promise<Row[]> {
  const conn = await h.tdb.sql.reserve();
  try {
    await conn.unsafe('begin');
    await conn.unsafe('set local role authenticated');
    await conn.unsafe(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ sub: userId, role: 'authenticated' })]);
    return [...(await conn.unsafe(query))];
  } finally {
    await conn.unsafe('rollback');
    conn.release();
  }
}

describe.skipIf(!hasPostgres)('lifecycle edge cases on PostgreSQL', () => {
  const h = useHarness((h) => {
    h.stripe.setLineItems(B.session, lineItemsFor.eurSubscription);
  });

  const access = (source: string) =>
    h.tdb.sql`select product_id, status, revoked_by, user_id from entitlements where source_id = ${source} order by product_id`;
  const adjustments = () =>
    h.tdb.sql`select id, kind, purchase_id, status, full_refund, access_revoked from payment_adjustments order by id`;
  const deliver = async () => {
    await h.settle();
    await h.drain();
  };

  it('a subscription belongs to the user of the session that bought it, not to the Stripe customer\'s first user', async () => {
    // User A (Lena) buys her subscription; the Stripe customer now knows A.
    expect((await h.post(eurCheckoutCompleted())).body).toMatchObject({ outcome: 'processed' });
    // User B buys another subscription with the same Stripe customer; its `created` comes first.
    await h.post(subscriptionEvent('customer.subscription.created', bSubscription(), T0 + 30));
    expect((await h.post(bCheckoutCompleted())).body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });

    expect(await access(B.subscription)).toEqual([{ product_id: EUR.product, status: 'active', revoked_by: null, user_id: B.userId }]);
    expect(await access(EUR.subscription)).toEqual([{ product_id: EUR.product, status: 'active', revoked_by: null, user_id: EUR.userId }]);
    expect(await h.tdb.sql`select user_id from purchases where checkout_session_id = ${B.session}`).toEqual([{ user_id: B.userId }]);
    expect(await h.tdb.sql`select user_id from purchases where checkout_session_id = ${EUR.session}`).toEqual([{ user_id: EUR.userId }]);

    // A later change of B's subscription keeps it B's.
    await h.post(subscriptionEvent('customer.subscription.updated', bSubscription({ status: 'past_due' }), T0 + 60, { status: 'active' }));
    expect(await access(B.subscription)).toMatchObject([{ status: 'past_due', user_id: B.userId }]);

    // What the app reads.
    const mine = 'select source_id, status, active from my_entitlements() order by source_id';
    expect(await asUser(h, B.userId, mine)).toEqual([{ source_id: B.subscription, status: 'past_due', active: true }]);
    expect(await asUser(h, EUR.userId, mine)).toEqual([{ source_id: EUR.subscription, status: 'active', active: true }]);
  });

  describe('a won dispute lifts only its own revocation', () => {
    const dispute = { ...USD_CHARGE, disputeId: 'du_1TSI2UkaRxFx7Qa2Edge0001' };

    it.each(['warning_closed', 'won'] as const)('a full refund keeps access revoked when the dispute closes %s', async (status) => {
      await h.post(usdPaid);
      await h.post(disputeCreatedEvent(dispute, usdPaid.created + 10 * DAY));
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);
      await h.post(refund(USD_CHARGE, 4900, usdPaid.created + 11 * DAY));
      await h.post(disputeClosedEvent(dispute, status, usdPaid.created + 30 * DAY));

      expect(await access(USD_SESSION)).toMatchObject([{ status: 'revoked' }]);
      expect(await adjustments()).toMatchObject([
        { id: USD_CHARGE.id, kind: 'refund', purchase_id: USD_SESSION, full_refund: true },
        { id: dispute.disputeId, kind: 'dispute', purchase_id: USD_SESSION, status },
      ]);
    });

    it('two disputes: the first won while the second is open keeps access revoked; the second won gives it back', async () => {
      const first = { ...dispute, disputeId: 'du_1TSI2UkaRxFx7Qa2Edge0002' };
      const second = { ...dispute, id: 'ch_3TSI2UkaRxFx7Qa20xk8Wq2N', disputeId: 'du_1TSI2UkaRxFx7Qa2Edge0003' };
      await h.post(usdPaid);
      await h.post(disputeCreatedEvent(first, usdPaid.created + 10 * DAY));
      await h.post(disputeCreatedEvent(second, usdPaid.created + 12 * DAY));
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);

      await h.post(disputeClosedEvent(first, 'won', usdPaid.created + 30 * DAY));
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);

      await h.post(disputeClosedEvent(second, 'won', usdPaid.created + 32 * DAY));
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'active', revoked_by: null }]);
      expect(await adjustments()).toMatchObject([
        { id: first.disputeId, status: 'won' },
        { id: second.disputeId, status: 'won' },
      ]);
    });
  });

  describe('a full refund that arrives before its checkout', () => {
    it('is recorded on its own, then applied when the checkout comes: the purchase ends revoked', async () => {
      const early = await h.post(refund(USD_CHARGE, 4900, usdPaid.created + 30));
      expect(early.body).toMatchObject({ outcome: 'processed' });
      expect(await adjustments()).toMatchObject([{ id: USD_CHARGE.id, purchase_id: null, full_refund: true, access_revoked: false }]);

      expect((await h.post(usdPaid)).body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
      expect(await h.tdb.sql`select status, revoked_by, reason from entitlements where source_id = ${USD_SESSION}`).toEqual([
        { status: 'revoked', revoked_by: 'refund', reason: `refunded in full: ${USD_CHARGE.id}` },
      ]);
      expect(await adjustments()).toMatchObject([{ id: USD_CHARGE.id, purchase_id: USD_SESSION, full_refund: true, access_revoked: true }]);
    });

    it('with REVOKE_ON_FULL_REFUND=false is linked to the purchase and access kept', async () => {
      const app = h.newApp({ REVOKE_ON_FULL_REFUND: 'false' });
      await h.post(refund(USD_CHARGE, 4900, usdPaid.created + 30), { app });
      await h.post(usdPaid, { app });
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'active', revoked_by: null }]);
      expect(await adjustments()).toMatchObject([{ id: USD_CHARGE.id, purchase_id: USD_SESSION, full_refund: true, access_revoked: false }]);
    });
  });

  it('a dispute closed (won) before its `created` arrives never revokes, and stays won', async () => {
    const dispute = { ...USD_CHARGE, disputeId: 'du_1TSI2UkaRxFx7Qa2Edge0004' };
    await h.post(usdPaid);
    await h.post(disputeClosedEvent(dispute, 'won', usdPaid.created + 30 * DAY));
    const late = await h.post(disputeCreatedEvent(dispute, usdPaid.created + 10 * DAY));
    expect(late.body).toMatchObject({ outcome: 'processed' });

    expect(await access(USD_SESSION)).toMatchObject([{ status: 'active', revoked_by: null }]);
    expect(await adjustments()).toMatchObject([{ id: dispute.disputeId, kind: 'dispute', purchase_id: USD_SESSION, status: 'won', access_revoked: false }]);
  });

  describe('a checkout that arrives after its subscription ended', () => {
    const ended = async (app?: ReturnType<Harness['newApp']>) => {
      await h.post(subscriptionEvent('customer.subscription.created', eurSubscription(), T0 + 1), { app });
      await h.post(subscriptionEvent('customer.subscription.deleted', eurSubscription({ status: 'canceled', canceledAt: T0 + 5, endedAt: T0 + 5 }), T0 + 5), { app });
      const late = await h.post(eurCheckoutCompleted(), { app });
      expect(late.body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    };

    it('leaves its entitlements revoked', async () => {
      await ended();
      expect(await access(EUR.subscription)).toEqual([{ product_id: EUR.product, status: 'revoked', revoked_by: 'subscription', user_id: EUR.userId }]);
      expect(await h.count('entitlements', "status <> 'revoked'")).toBe(0);
    });

    it("without STRIPE_SECRET_KEY, the checkout's '*' grant ends revoked too", async () => {
      await ended(h.newApp({ STRIPE_SECRET_KEY: '' }));
      expect(await access(EUR.subscription)).toEqual([
        { product_id: '*', status: 'revoked', revoked_by: 'subscription', user_id: EUR.userId },
        { product_id: EUR.product, status: 'revoked', revoked_by: 'subscription', user_id: EUR.userId },
      ]);
      expect(await h.count('entitlements', "status <> 'revoked'")).toBe(0);
    });
  });

  it('with RENEWAL_CONVERSIONS=true a converted trial is one Subscribe per platform, also when its invoice.paid comes again', async () => {
    const app = h.newApp({ RENEWAL_CONVERSIONS: 'true' });
    await h.post(usdTrialCheckoutCompleted(), { app });
    await h.post(subscriptionEvent('customer.subscription.created', usdTrialSubscription(), USD_TRIAL.trialStart + 1), { app });

    const paidPeriod = { start: USD_TRIAL.trialEnd, end: USD_TRIAL.trialEnd + 31 * DAY };
    const converted = invoice({ id: 'in_1Tc9vQ2aRxFx7Qa2EdgeTrial', subscription: 'usd', billingReason: 'subscription_cycle', period: paidPeriod, paid: true });
    await h.post(subscriptionEvent('customer.subscription.updated', usdTrialSubscription({ status: 'active', period: paidPeriod }),
      USD_TRIAL.trialEnd + 1, { status: 'trialing' }), { app });
    const paid = invoiceEvent('invoice.paid', converted, USD_TRIAL.trialEnd + 3605);
    expect((await h.post(paid, { app })).body).toMatchObject({ outcome: 'processed' });
    await deliver();
    expect(await h.count('conversion_outbox', `event_id = '${converted.id}'`)).toBe(2);

    // The same invoice.paid delivered again under a new event id (Stripe resends, or a replay).
    const again = withChanges(paid, {}, { newId: true });
    expect(again.id).not.toBe(paid.id);
    expect((await h.post(again, { app })).body).toMatchObject({ outcome: 'processed' });
    await deliver();

    expect(await h.tdb.sql`select destination, event_name, kind from conversion_outbox where event_id = ${converted.id} order by destination`).toEqual([
      { destination: 'meta', event_name: 'Subscribe', kind: 'subscribe' },
      { destination: 'tiktok', event_name: 'Subscribe', kind: 'subscribe' },
    ]);
    expect(await h.count('conversion_outbox', "kind = 'renewal'")).toBe(0);
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`StartTrial:${USD_TRIAL.session}`, `Subscribe:${converted.id}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`StartTrial:${USD_TRIAL.session}`, `Subscribe:${converted.id}`]);
  });
});
