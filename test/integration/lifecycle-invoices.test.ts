/**
 * Invoices on real PostgreSQL: the first payment (also one that arrives after an unpaid Checkout),
 * a trial that converts, renewals with and without renewal conversions, a failed payment through
 * past_due to recovery, and invoice.payment_succeeded left alone.
 */
import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { tiktokEventsSent as tiktokEvents, metaEventsSent as metaEvents } from '../support/fake-platforms.ts';
import {
  EUR,
  T0,
  USD_TRIAL,
  eurCheckoutCompleted,
  eurFirstInvoicePaid,
  eurSubscription,
  invoice,
  invoiceEvent,
  subscriptionEvent,
  usdTrialCheckoutCompleted,
  usdTrialSubscription,
} from '../support/lifecycle-events.ts';
import { loadEvent } from '../support/stripe-sign.ts';

type MetaBody = { data: { event_name: string; event_id: string; custom_data?: { value?: number; currency?: string } }[] };

const DAY = 86_400;
const P1 = EUR.period1;
const P2 = { start: P1.end, end: P1.end + 31 * DAY };
const P3 = { start: P2.end, end: P2.end + 31 * DAY };
const RENEWAL_1 = 'in_1kR2m9XbRxFx7Qa2Ren0wal01';
const RENEWAL_2 = 'in_1kR2m9XbRxFx7Qa2Ren0wal02';

describe.skipIf(!hasPostgres)('invoices on PostgreSQL', () => {
  const h = useHarness();

  const entitlement = async (source = EUR.subscription) =>
    (await h.tdb.sql`select status, purchase_id, extract(epoch from valid_until)::int as valid_until
                       from entitlements where source_id = ${source}`)[0];
  const invoiceRow = async (id: string) =>
    (await h.tdb.sql`select subscription_id, billing_reason, status, amount_paid::int, attempt_count, paid_at is not null as paid,
                            extract(epoch from period_end)::int as period_end from invoices where id = ${id}`)[0];
  const outbox = () =>
    h.tdb.sql`select destination, event_name, event_id, kind, status from conversion_outbox order by event_time, destination`;
  const deliver = async () => {
    await h.settle();
    await h.drain();
  };
  /** Lena's subscription bought and active in its first period. */
  const eurBought = async () => {
    await h.post(eurCheckoutCompleted());
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription(), T0 + 9, { status: 'incomplete' }));
    await h.post(eurFirstInvoicePaid());
    await deliver();
    h.tiktok.requests.length = 0;
    h.meta.requests.length = 0;
  };
  const renewal = (id: string, period: { start: number; end: number }, paid = true, attemptCount = 1) =>
    invoice({ id, subscription: 'eur', billingReason: 'subscription_cycle', period, paid, attemptCount });

  it('the first invoice of a delayed-payment checkout (completed unpaid) provisions it and releases its conversions', async () => {
    const pending = await h.post(eurCheckoutCompleted('unpaid'));
    expect(pending.body).toMatchObject({ purchase_status: 'pending' });
    expect(await h.count('entitlements')).toBe(0);
    expect(await h.count('conversion_outbox', "status = 'held'")).toBe(4);

    const paid = await h.post(eurFirstInvoicePaid());
    expect(paid.body).toMatchObject({ outcome: 'processed', purchase_status: 'paid' });
    await deliver();
    expect(await h.tdb.sql`select status from purchases`).toEqual([{ status: 'paid' }]);
    expect(await entitlement()).toEqual({ status: 'active', purchase_id: EUR.session, valid_until: P1.end });
    expect(await invoiceRow(EUR.firstInvoice)).toMatchObject({ billing_reason: 'subscription_create', status: 'paid', subscription_id: EUR.subscription });
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`CompletePayment:${EUR.session}`, `Subscribe:${EUR.session}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`Purchase:${EUR.session}`, `Subscribe:${EUR.session}`]);
  });

  it('the first invoice arriving before everything else grants access to the end of the paid period', async () => {
    await h.post(eurFirstInvoicePaid());
    expect(await entitlement()).toEqual({ status: 'active', purchase_id: EUR.session, valid_until: P1.end });
    expect(await h.count('conversion_outbox', `event_id = '${EUR.session}'`)).toBe(4);
  });

  it('a trial that converts sends Subscribe once (event_id = invoice id), after StartTrial; no Purchase', async () => {
    await h.post(usdTrialCheckoutCompleted());
    await h.post(subscriptionEvent('customer.subscription.created', usdTrialSubscription(), USD_TRIAL.trialStart + 1));
    // The trial's own invoice: nothing due.
    const zero = invoice({ id: 'in_1rPhcYoCRxFx7Qa2LL58GrlA', subscription: 'usd', billingReason: 'subscription_create',
      period: { start: USD_TRIAL.trialStart, end: USD_TRIAL.trialEnd }, paid: true, amount: 0 });
    await h.post(invoiceEvent('invoice.paid', zero, USD_TRIAL.trialStart + 2));
    await deliver();
    expect(await entitlement(USD_TRIAL.subscription)).toEqual({ status: 'trialing', purchase_id: USD_TRIAL.session, valid_until: USD_TRIAL.trialEnd });
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`StartTrial:${USD_TRIAL.session}`]);

    // The trial ends: the subscription turns active and its first real invoice is paid.
    const paidPeriod = { start: USD_TRIAL.trialEnd, end: USD_TRIAL.trialEnd + 31 * DAY };
    const converted = invoice({ id: 'in_1Tc9vQ2aRxFx7Qa2TrialPaid', subscription: 'usd', billingReason: 'subscription_cycle', period: paidPeriod, paid: true });
    await h.post(subscriptionEvent('customer.subscription.updated', usdTrialSubscription({ status: 'active', period: paidPeriod }),
      USD_TRIAL.trialEnd + 1, { status: 'trialing' }));
    const paidEvent = invoiceEvent('invoice.paid', converted, USD_TRIAL.trialEnd + 3605);
    await h.post(paidEvent);
    await h.post({ ...paidEvent, id: `${paidEvent.id.slice(0, -2)}zz` });
    await deliver();

    expect(await entitlement(USD_TRIAL.subscription)).toEqual({ status: 'active', purchase_id: USD_TRIAL.session, valid_until: paidPeriod.end });
    expect((await outbox()).map((r) => `${r.destination}:${r.event_name}:${r.event_id}:${r.status}`)).toEqual([
      `meta:StartTrial:${USD_TRIAL.session}:delivered`,
      `tiktok:StartTrial:${USD_TRIAL.session}:delivered`,
      `meta:Subscribe:${converted.id}:delivered`,
      `tiktok:Subscribe:${converted.id}:delivered`,
    ]);
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`StartTrial:${USD_TRIAL.session}`, `Subscribe:${converted.id}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`StartTrial:${USD_TRIAL.session}`, `Subscribe:${converted.id}`]);
    const subscribe = h.meta.requests.flatMap((r) => (r.body as MetaBody).data).find((e) => e.event_name === 'Subscribe');
    expect(subscribe?.custom_data).toMatchObject({ value: 29, currency: 'USD' });

    // The next renewal sends nothing (renewal conversions are off by default).
    const next = invoice({ id: RENEWAL_2, subscription: 'usd', billingReason: 'subscription_cycle',
      period: { start: paidPeriod.end, end: paidPeriod.end + 31 * DAY }, paid: true });
    await h.post(invoiceEvent('invoice.paid', next, paidPeriod.end + 3605));
    expect(await h.count('conversion_outbox')).toBe(4);
  });

  it('a renewal extends access to the new period end and sends nothing by default', async () => {
    await eurBought();
    await h.post(invoiceEvent('invoice.paid', renewal(RENEWAL_1, P2), P2.start + 3605));
    expect(await invoiceRow(RENEWAL_1)).toEqual({
      subscription_id: EUR.subscription, billing_reason: 'subscription_cycle', status: 'paid', amount_paid: 1900, attempt_count: 1, paid: true, period_end: P2.end,
    });
    // Access follows the paid invoice even before the subscription's own update arrives.
    expect(await entitlement()).toMatchObject({ status: 'active', valid_until: P2.end });
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ period: P2 }), P2.start + 1, {}));
    expect(await entitlement()).toMatchObject({ status: 'active', valid_until: P2.end });
    await deliver();
    expect(await h.count('conversion_outbox')).toBe(4);
    expect(h.tiktok.requests).toHaveLength(0);
    expect(h.meta.requests).toHaveLength(0);
  });

  it('with RENEWAL_CONVERSIONS=true a renewal is a Purchase with event_id = invoice id, sent once', async () => {
    const app = h.newApp({ RENEWAL_CONVERSIONS: 'true' });
    await h.post(eurCheckoutCompleted(), { app });
    await h.post(eurFirstInvoicePaid(), { app });
    await deliver();
    h.tiktok.requests.length = 0;
    h.meta.requests.length = 0;

    const paid = invoiceEvent('invoice.paid', renewal(RENEWAL_1, P2), P2.start + 3605);
    await h.post(paid, { app });
    await h.post({ ...paid, id: `${paid.id.slice(0, -2)}zz` }, { app });
    await deliver();
    expect((await outbox()).filter((r) => r.event_id === RENEWAL_1)).toEqual([
      { destination: 'meta', event_name: 'Purchase', event_id: RENEWAL_1, kind: 'renewal', status: 'delivered' },
      { destination: 'tiktok', event_name: 'CompletePayment', event_id: RENEWAL_1, kind: 'renewal', status: 'delivered' },
    ]);
    expect(tiktokEvents(h.tiktok.requests)).toEqual([`CompletePayment:${RENEWAL_1}`]);
    expect(metaEvents(h.meta.requests)).toEqual([`Purchase:${RENEWAL_1}`]);
    const [purchase] = h.meta.requests.flatMap((r) => (r.body as MetaBody).data);
    expect(purchase?.custom_data).toMatchObject({ value: 19, currency: 'EUR' });
  });

  it('a mid-period change (billing_reason subscription_update) is recorded and sends nothing', async () => {
    await eurBought();
    const proration = invoice({ id: 'in_1Up9dAteRxFx7Qa2Prorated', subscription: 'eur', billingReason: 'subscription_update',
      period: { start: T0 + 10 * DAY, end: P1.end }, paid: true, amount: 1300 });
    const res = await h.post(invoiceEvent('invoice.paid', proration, T0 + 10 * DAY + 5));
    expect(res.body).toMatchObject({ outcome: 'processed' });
    expect(await invoiceRow(proration.id)).toMatchObject({ billing_reason: 'subscription_update', status: 'paid', amount_paid: 1300 });
    expect(await entitlement()).toMatchObject({ status: 'active', valid_until: P1.end });
    expect(await h.count('conversion_outbox')).toBe(4);
  });

  it('payment failure → past_due (access kept, flagged) → recovery', async () => {
    await eurBought();
    await h.post(invoiceEvent('invoice.payment_failed', renewal(RENEWAL_1, P2, false, 1), P2.start + 3605));
    expect(await invoiceRow(RENEWAL_1)).toMatchObject({ status: 'open', amount_paid: 0, attempt_count: 1, paid: false });
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due', period: P2 }), P2.start + 3606, { status: 'active' }));
    expect(await entitlement()).toMatchObject({ status: 'past_due', valid_until: P2.end });
    expect(await h.tdb.sql`select status from subscriptions`).toEqual([{ status: 'past_due' }]);

    // Smart Retries: the third attempt succeeds.
    await h.post(invoiceEvent('invoice.payment_failed', renewal(RENEWAL_1, P2, false, 2), P2.start + 3 * DAY));
    await h.post(invoiceEvent('invoice.paid', renewal(RENEWAL_1, P2, true, 3), P2.start + 5 * DAY));
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ period: P2 }), P2.start + 5 * DAY + 1, { status: 'past_due' }));
    expect(await entitlement()).toMatchObject({ status: 'active', valid_until: P2.end });
    expect(await invoiceRow(RENEWAL_1)).toMatchObject({ status: 'paid', amount_paid: 1900, attempt_count: 3, paid: true });

    // A late failure notice for the same invoice changes nothing.
    await h.post(invoiceEvent('invoice.payment_failed', renewal(RENEWAL_1, P2, false, 2), P2.start + 3 * DAY));
    expect(await invoiceRow(RENEWAL_1)).toMatchObject({ status: 'paid', attempt_count: 3, paid: true });
    expect(await h.count('invoices')).toBe(2);
    await deliver();
    expect(h.tiktok.requests).toHaveLength(0);

    // The next period renews normally.
    await h.post(invoiceEvent('invoice.paid', renewal(RENEWAL_2, P3), P3.start + 3605));
    expect(await entitlement()).toMatchObject({ status: 'active', valid_until: P3.end });
  });

  it('listens to invoice.paid only: invoice.payment_succeeded is recorded as ignored', async () => {
    const first = loadEvent('invoice.paid.subscription_create.eur');
    const succeeded = invoiceEvent('invoice.payment_succeeded', first.data.object as never, first.created);
    const res = await h.post(succeeded);
    expect(res.body).toMatchObject({ outcome: 'ignored' });
    expect(await h.count('invoices')).toBe(0);
    expect(await h.count('purchases')).toBe(0);
    expect(await h.count('stripe_events', "outcome = 'ignored' and type = 'invoice.payment_succeeded'")).toBe(1);
  });
});
