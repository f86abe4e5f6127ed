/**
 * Refunds and disputes on real PostgreSQL: recorded against what was bought (a one-time purchase, or
 * a subscription's purchase and invoice), and revoking access only as REVOKE_ON_FULL_REFUND and
 * REVOKE_ON_DISPUTE say.
 */
import type Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import {
  EUR,
  T0,
  charge,
  disputeCreatedEvent,
  eurCheckoutCompleted,
  eurFirstInvoicePaid,
  eurSubscription,
  invoice,
  invoiceEvent,
  subscriptionEvent,
  USD_CHARGE,
  EUR_CHARGE,
  disputeClosedEvent,
  refundEvent,
} from '../support/lifecycle-events.ts';
import { loadEvent } from '../support/stripe-sign.ts';

const usdPaid = loadEvent('checkout.session.completed.payment.usd.paid');
const USD_SESSION = usdPaid.data.object.id;
const DAY = 86_400;


describe.skipIf(!hasPostgres)('refunds and disputes on PostgreSQL', () => {
  const h = useHarness((h) => {
    h.stripe.setInvoicePayment(EUR_CHARGE.paymentIntent, EUR.firstInvoice);
  });

  const adjustments = () =>
    h.tdb.sql`select id, kind, charge_id, purchase_id, subscription_id, invoice_id, amount::int, amount_refunded::int,
                     full_refund, status, reason, access_revoked from payment_adjustments order by id`;
  const access = (source: string) =>
    h.tdb.sql`select status, revoked_by, reason from entitlements where source_id = ${source}`;
  const refund = refundEvent;
  const eurBought = async () => {
    await h.post(eurCheckoutCompleted());
    await h.post(eurFirstInvoicePaid());
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription(), T0 + 9, { status: 'incomplete' }));
  };

  describe('a one-time purchase', () => {
    it('a partial refund is recorded and keeps access; the rest refunded later revokes it', async () => {
      await h.post(usdPaid);
      const partial = await h.post(refund(USD_CHARGE, 1500, usdPaid.created + DAY));
      expect(partial.body).toMatchObject({ outcome: 'processed' });
      expect(await adjustments()).toEqual([
        {
          id: USD_CHARGE.id, kind: 'refund', charge_id: USD_CHARGE.id, purchase_id: USD_SESSION, subscription_id: null, invoice_id: null,
          amount: 4900, amount_refunded: 1500, full_refund: false, status: 'succeeded', reason: null, access_revoked: false,
        },
      ]);
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'active', revoked_by: null }]);

      await h.post(refund(USD_CHARGE, 4900, usdPaid.created + 2 * DAY, 1500));
      expect(await adjustments()).toMatchObject([{ id: USD_CHARGE.id, amount_refunded: 4900, full_refund: true, access_revoked: true }]);
      expect(await access(USD_SESSION)).toEqual([{ status: 'revoked', revoked_by: 'refund', reason: `refunded in full: ${USD_CHARGE.id}` }]);
    });

    it('a late partial-refund event never lowers the recorded refunded total', async () => {
      await h.post(usdPaid);
      const partial = refund(USD_CHARGE, 1500, usdPaid.created + DAY);
      await h.post(refund(USD_CHARGE, 4900, usdPaid.created + 2 * DAY, 1500));
      await h.post(partial);
      expect(await adjustments()).toMatchObject([{ amount_refunded: 4900, full_refund: true, access_revoked: true }]);
    });

    it('with REVOKE_ON_FULL_REFUND=false a full refund is recorded and access kept', async () => {
      const app = h.newApp({ REVOKE_ON_FULL_REFUND: 'false' });
      await h.post(usdPaid, { app });
      await h.post(refund(USD_CHARGE, 4900, usdPaid.created + DAY), { app });
      expect(await adjustments()).toMatchObject([{ purchase_id: USD_SESSION, full_refund: true, access_revoked: false }]);
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'active', revoked_by: null }]);
    });

    it('a dispute is recorded and revokes access', async () => {
      await h.post(usdPaid);
      await h.post(disputeCreatedEvent({ ...USD_CHARGE, disputeId: 'du_1TSI2UkaRxFx7Qa2Dsp7Lm3Q' }, usdPaid.created + 20 * DAY));
      expect(await adjustments()).toEqual([
        {
          id: 'du_1TSI2UkaRxFx7Qa2Dsp7Lm3Q', kind: 'dispute', charge_id: USD_CHARGE.id, purchase_id: USD_SESSION, subscription_id: null,
          invoice_id: null, amount: 4900, amount_refunded: null, full_refund: false, status: 'needs_response', reason: 'fraudulent',
          access_revoked: true,
        },
      ]);
      expect(await access(USD_SESSION)).toEqual([{ status: 'revoked', revoked_by: 'dispute', reason: 'disputed: du_1TSI2UkaRxFx7Qa2Dsp7Lm3Q' }]);
    });

    it('with REVOKE_ON_DISPUTE=false a dispute is recorded and access kept', async () => {
      const app = h.newApp({ REVOKE_ON_DISPUTE: 'false' });
      await h.post(usdPaid, { app });
      await h.post(disputeCreatedEvent({ ...USD_CHARGE, disputeId: 'du_1TSI2UkaRxFx7Qa2Dsp7Lm3Q' }, usdPaid.created + 20 * DAY), { app });
      expect(await adjustments()).toMatchObject([{ kind: 'dispute', purchase_id: USD_SESSION, access_revoked: false }]);
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'active' }]);
    });
  });

  describe('a subscription', () => {
    it('a full refund of its first invoice is recorded against the purchase and invoice; the subscription keeps its access', async () => {
      await eurBought();
      await h.post(refund(EUR_CHARGE, 1900, T0 + 3 * DAY));
      expect(await adjustments()).toEqual([
        {
          id: EUR_CHARGE.id, kind: 'refund', charge_id: EUR_CHARGE.id, purchase_id: EUR.session, subscription_id: EUR.subscription,
          invoice_id: EUR.firstInvoice, amount: 1900, amount_refunded: 1900, full_refund: true, status: 'succeeded', reason: null,
          access_revoked: false,
        },
      ]);
      // The subscription goes on (a goodwill refund); cancelling it in Stripe is what ends access.
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'active', revoked_by: null }]);
      await h.post(subscriptionEvent('customer.subscription.deleted', eurSubscription({ status: 'canceled' }), T0 + 3 * DAY + 5, {}));
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'revoked', revoked_by: 'subscription' }]);
    });

    it('a partial refund of a renewal is recorded against that invoice and keeps access', async () => {
      await eurBought();
      const renewalId = 'in_1kR2m9XbRxFx7Qa2Ren0wal01';
      const period = { start: EUR.period1.end, end: EUR.period1.end + 31 * DAY };
      await h.post(invoiceEvent('invoice.paid', invoice({ id: renewalId, subscription: 'eur', billingReason: 'subscription_cycle', period, paid: true }), period.start + 3605));
      const renewalCharge = { ...EUR_CHARGE, id: 'ch_3Ren01RxFx7Qa20Ren0wa1Chg', paymentIntent: 'pi_3Ren01RxFx7Qa20Ren0wa1Pi0', created: period.start + 3600 };
      h.stripe.setInvoicePayment(renewalCharge.paymentIntent, renewalId);
      await h.post(refund(renewalCharge, 500, period.start + 2 * DAY));
      expect(await adjustments()).toMatchObject([
        { id: renewalCharge.id, purchase_id: EUR.session, subscription_id: EUR.subscription, invoice_id: renewalId, amount_refunded: 500, full_refund: false, access_revoked: false },
      ]);
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'active' }]);
    });

    it('a dispute of its payment revokes the subscription\'s access', async () => {
      await eurBought();
      await h.post(disputeCreatedEvent({ ...EUR_CHARGE, disputeId: 'du_1Eur1stInvRxFx7Qa2Dsp0001' }, T0 + 10 * DAY));
      expect(await adjustments()).toMatchObject([
        { id: 'du_1Eur1stInvRxFx7Qa2Dsp0001', kind: 'dispute', purchase_id: EUR.session, subscription_id: EUR.subscription, invoice_id: EUR.firstInvoice, access_revoked: true },
      ]);
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);
    });

    it('a refund that overtakes its invoice.paid is still recorded against the purchase', async () => {
      // Checkout completed (paid), then the refund, then the invoice event: Stripe does not order them.
      await h.post(eurCheckoutCompleted());
      await h.post(refund(EUR_CHARGE, 1900, T0 + 3 * DAY));
      await h.post(eurFirstInvoicePaid());
      expect(await adjustments()).toMatchObject([
        { id: EUR_CHARGE.id, purchase_id: EUR.session, subscription_id: EUR.subscription, invoice_id: EUR.firstInvoice, access_revoked: false },
      ]);
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'active' }]);
    });

    it('a dispute the merchant wins gives the subscription its access back', async () => {
      await eurBought();
      const spec = { ...EUR_CHARGE, disputeId: 'du_1Eur1stInvRxFx7Qa2Dsp0002' };
      await h.post(disputeCreatedEvent(spec, T0 + 10 * DAY));
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);
      await h.post(disputeClosedEvent(spec, 'won', T0 + 30 * DAY));
      expect(await access(EUR.subscription)).toMatchObject([{ status: 'active', revoked_by: null }]);
      expect(await adjustments()).toMatchObject([{ id: spec.disputeId, status: 'won', access_revoked: false }]);
    });
  });

  describe('a closed dispute of a one-time purchase', () => {
    const spec = { ...USD_CHARGE, disputeId: 'du_1TSI2UkaRxFx7Qa2Dsp7Lm3Z' };
    it('won: access comes back', async () => {
      await h.post(usdPaid);
      await h.post(disputeCreatedEvent(spec, usdPaid.created + 20 * DAY));
      await h.post(disputeClosedEvent(spec, 'won', usdPaid.created + 40 * DAY));
      expect(await access(USD_SESSION)).toEqual([{ status: 'active', revoked_by: null, reason: `dispute won: ${spec.disputeId}` }]);
    });

    it('lost: access stays revoked', async () => {
      await h.post(usdPaid);
      await h.post(disputeCreatedEvent(spec, usdPaid.created + 20 * DAY));
      await h.post(disputeClosedEvent(spec, 'lost', usdPaid.created + 40 * DAY));
      expect(await access(USD_SESSION)).toMatchObject([{ status: 'revoked', revoked_by: 'dispute' }]);
    });
  });

  it('a refund of a charge nothing here knows is recorded on its own', async () => {
    const stray = { ...USD_CHARGE, id: 'ch_3Unknown0RxFx7Qa20Strayy1', paymentIntent: 'pi_3Unknown0RxFx7Qa20Strayy1' };
    const res = await h.post(refund(stray, 4900, T0) as Stripe.Event);
    expect(res.body).toMatchObject({ outcome: 'processed' });
    expect(await adjustments()).toMatchObject([{ id: stray.id, purchase_id: null, subscription_id: null, access_revoked: false }]);
  });
});
