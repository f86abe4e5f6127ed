/**
 * What the app reads, on real PostgreSQL with Supabase's roles: a signed-in user sees their own
 * entitlements (matched by the Checkout's client_reference_id = auth.uid(), never by an email), through
 * the table and through public.my_entitlements(); anyone else sees nothing; anon gets no access at all.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { startHarness, type Harness } from '../support/harness.ts';
import { EUR, T0, USD_TRIAL, eurCheckoutCompleted, eurSubscription, subscriptionEvent, usdTrialCheckoutCompleted } from '../support/lifecycle-events.ts';
import { loadEvent, withChanges } from '../support/stripe-sign.ts';

type Row = Record<string, unknown>;

describe.skipIf(!hasPostgres)('entitlements as the app reads them', () => {
  let h: Harness;
  const usdPaid = loadEvent('checkout.session.completed.payment.usd.paid');
  const ZOE = { userId: usdPaid.data.object.client_reference_id!, email: usdPaid.data.object.customer_details!.email! };

  beforeAll(async () => {
    h = await startHarness();
    // Three customers, each through the webhook: Lena (EUR subscription, now past_due), Sam (a
    // trial), Zoë (a one-time purchase).
    await h.post(eurCheckoutCompleted());
    await h.post(subscriptionEvent('customer.subscription.updated', eurSubscription({ status: 'past_due' }), T0 + 40 * 86_400, {}));
    await h.post(usdTrialCheckoutCompleted());
    await h.post(usdPaid);
  });
  afterAll(async () => {
    await h?.close();
  });

  /** Runs `query` as a Supabase API role with these JWT claims, in a transaction rolled back after. */
  async function as(role: 'authenticated' | 'anon', claims: Record<string, unknown>, query: string): Promise<Row[]> {
    const conn = await h.tdb.sql.reserve();
    try {
      await conn.unsafe('begin');
      await conn.unsafe(`set local role ${role}`);
      await conn.unsafe(`select set_config('request.jwt.claims', $1, true)`, [JSON.stringify({ ...claims, role })]);
      return [...(await conn.unsafe(query))];
    } finally {
      await conn.unsafe('rollback');
      conn.release();
    }
  }
  const user = (sub: string, email?: string) => ({ sub, ...(email && { email }) });
  const TABLE = 'select customer_key, source_id, product_id, status from entitlements order by source_id, product_id';
  const FUNCTION = 'select product_id, status, active, source_type, source_id from my_entitlements() order by source_id';

  it('the customers and entitlements exist (seen by the service)', async () => {
    expect(await h.count('entitlements')).toBe(3);
    const customers = await h.tdb.sql`select user_id from customers order by user_id`;
    expect(customers.map((c) => c.user_id)).toEqual([EUR.userId, ZOE.userId, USD_TRIAL.userId].sort());
  });

  it('a signed-in user sees only their own rows, through the table and through my_entitlements()', async () => {
    expect(await as('authenticated', user(EUR.userId, EUR.email), TABLE)).toEqual([
      { customer_key: EUR.customer, source_id: EUR.subscription, product_id: EUR.product, status: 'past_due' },
    ]);
    expect(await as('authenticated', user(EUR.userId, EUR.email), FUNCTION)).toEqual([
      // past_due keeps access, flagged by its status.
      { product_id: EUR.product, status: 'past_due', active: true, source_type: 'subscription', source_id: EUR.subscription },
    ]);
    expect(await as('authenticated', user(USD_TRIAL.userId), FUNCTION)).toEqual([
      { product_id: USD_TRIAL.product, status: 'trialing', active: true, source_type: 'subscription', source_id: USD_TRIAL.subscription },
    ]);
    expect(await as('authenticated', user(ZOE.userId), FUNCTION)).toEqual([
      { product_id: expect.stringMatching(/^prod_/), status: 'active', active: true, source_type: 'purchase', source_id: usdPaid.data.object.id },
    ]);
  });

  it("is not matched by email: an account with the buyer's email but another id sees nothing", async () => {
    expect(await as('authenticated', user(randomUUID(), EUR.email), TABLE)).toEqual([]);
    expect(await as('authenticated', user(randomUUID(), EUR.email.toUpperCase()), FUNCTION)).toEqual([]);
  });

  it("a buyer who types someone else's email at Checkout gets none of their access", async () => {
    const intruder = randomUUID();
    const stolen = withChanges(
      usdPaid,
      {
        data: {
          object: {
            id: 'cs_test_a1IntruderSessionTypedSomeoneElsesEmail0000000000000000000000',
            customer: null,
            client_reference_id: intruder,
            customer_details: { email: ZOE.email },
          },
        },
      },
      { newId: true },
    );
    h.stripe.setLineItems(stolen.data.object.id, []);
    expect((await h.post(stolen)).body).toMatchObject({ outcome: 'processed' });
    const seen = await as('authenticated', user(intruder), FUNCTION);
    expect(seen.map((r) => r.source_id)).toEqual([stolen.data.object.id]);
    expect((await as('authenticated', user(ZOE.userId), FUNCTION)).map((r) => r.source_id)).toEqual([usdPaid.data.object.id]);
  });

  it('another signed-in user sees nothing', async () => {
    const stranger = user(randomUUID(), 'someone.else@example.org');
    expect(await as('authenticated', stranger, TABLE)).toEqual([]);
    expect(await as('authenticated', stranger, FUNCTION)).toEqual([]);
    expect(await as('authenticated', {}, TABLE)).toEqual([]);
  });

  it('a signed-in user can neither write entitlements nor read the other tables', async () => {
    await expect(as('authenticated', user(EUR.userId), `update entitlements set status = 'active'`)).rejects.toMatchObject({ code: '42501' });
    for (const table of ['customers', 'purchases', 'subscriptions', 'invoices', 'payment_adjustments', 'conversion_outbox']) {
      await expect(as('authenticated', user(EUR.userId), `select * from ${table}`)).rejects.toMatchObject({ code: '42501' });
    }
  });

  it('anon gets permission denied for the table and the function', async () => {
    await expect(as('anon', {}, TABLE)).rejects.toMatchObject({ code: '42501', message: expect.stringMatching(/permission denied for table entitlements/) });
    await expect(as('anon', user(EUR.userId, EUR.email), FUNCTION)).rejects.toMatchObject({
      code: '42501',
      message: expect.stringMatching(/permission denied for function my_entitlements/),
    });
  });
});
