import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hasPostgres } from '../support/pg.ts';
import { useHarness } from '../support/harness.ts';
import { lineItemsFor } from '../support/fake-stripe.ts';
import { loadEvent } from '../support/stripe-sign.ts';

/**
 * What TikTok and Meta receive for realistic Stripe sessions, end to end: signed webhook → database →
 * outbox → HTTP. Expected hashes are computed here from the normalised strings written out by hand
 * (from the platforms' rules), not by the product's normaliser.
 */
const sha = (s: string) => createHash('sha256').update(s, 'utf8').digest('hex');
const product = (items: readonly { price: { product: unknown } | null }[], i = 0) => items[i]!.price!.product as string;

describe.skipIf(!hasPostgres)('outgoing requests, exactly', () => {
  const h = useHarness();

  it('a one-time USD purchase with non-ASCII name and city', async () => {
    const event = loadEvent('checkout.session.completed.payment.usd.paid');
    const s = event.data.object;
    await h.post(event);
    await h.settle();
    const prod = product(lineItemsFor.usd);

    expect(h.tiktok.requests).toHaveLength(1);
    const tiktok = h.tiktok.requests[0]!;
    expect(tiktok.path).toBe('/open_api/v1.3/event/track/');
    expect(tiktok.headers['access-token']).toBe('tiktok-test-token');
    expect(tiktok.body).toEqual({
      event_source: 'web',
      event_source_id: 'CTESTPIXEL0000000000',
      test_event_code: 'TEST_TIKTOK',
      data: [
        {
          event: 'CompletePayment',
          event_time: event.created,
          event_id: s.id,
          user: {
            email: [sha('zoe.angstrom@example.com')],
            phone: [sha('+46701234567')],
            external_id: [sha('6f1c2a9e-3b7d-4e8a-9c5f-2d4b8e1a7c30')],
            ttclid: s.metadata!.ttclid,
            ttp: s.metadata!.ttp,
            ip: '203.0.113.7',
            user_agent: s.metadata!.client_user_agent,
          },
          properties: {
            contents: [{ content_id: prod, content_name: 'Pro Lifetime License', quantity: 1, price: 49 }],
            content_type: 'product',
            currency: 'USD',
            value: 49,
            order_id: s.id,
          },
          page: { url: s.metadata!.event_source_url },
          limited_data_use: false,
        },
      ],
    });

    expect(h.meta.requests).toHaveLength(1);
    const meta = h.meta.requests[0]!;
    expect(meta.path).toBe('/v26.0/1234567890/events');
    expect(meta.headers.authorization).toBe('Bearer meta-test-token');
    expect(meta.body).toEqual({
      data: [
        {
          event_name: 'Purchase',
          event_time: event.created,
          event_id: s.id,
          action_source: 'website',
          event_source_url: s.metadata!.event_source_url,
          user_data: {
            em: [sha('zoe.angstrom@example.com')],
            ph: [sha('46701234567')],
            fn: [sha('zoë')],
            ln: [sha('ångström')],
            ct: [sha('malmö')],
            zp: [sha('21122')],
            country: [sha('se')],
            external_id: [sha('6f1c2a9e-3b7d-4e8a-9c5f-2d4b8e1a7c30')],
            client_ip_address: '203.0.113.7',
            client_user_agent: s.metadata!.client_user_agent,
            fbc: `fb.1.${s.created * 1000}.IwAR0xyz`,
            fbp: s.metadata!.fbp,
          },
          custom_data: {
            currency: 'USD',
            value: 49,
            order_id: s.id,
            content_type: 'product',
            content_ids: [prod],
            contents: [{ id: prod, quantity: 1, item_price: 49 }],
            num_items: 1,
          },
        },
      ],
      test_event_code: 'TEST_META',
    });
    // The token travels in a header, never in the URL.
    expect(meta.path).not.toContain('token');
  });

  it('a three-decimal KWD purchase whose phone has no country code, in Arabic script', async () => {
    await h.post(loadEvent('checkout.session.completed.payment.kwd.paid'));
    await h.settle();
    const meta = (h.meta.requests[0]!.body as { data: Record<string, Record<string, unknown>>[] }).data[0]!;
    expect(meta.user_data).toMatchObject({
      ph: [sha('96599887766')],
      fn: [sha('فاطمة')],
      ln: [sha('الصباح')],
      ct: [sha('مدينةالكويت')],
      zp: [sha('13001')],
      country: [sha('kw')],
    });
    expect(meta.custom_data).toMatchObject({ currency: 'KWD', value: 5.12, num_items: 2 });
    expect((meta.custom_data!.contents as { item_price: number }[]).map((c) => c.item_price)).toEqual([3.2, 1.92]);
    const tiktok = (h.tiktok.requests[0]!.body as { data: Record<string, Record<string, unknown>>[] }).data[0]!;
    expect(tiktok.user).toMatchObject({ phone: [sha('+96599887766')] });
    expect(tiktok.properties).toMatchObject({ currency: 'KWD', value: 5.12 });
  });

  it('a zero-decimal JPY konbini purchase, sent when paid, with the payment time', async () => {
    await h.post(loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini'));
    await h.settle();
    expect(h.meta.requests).toHaveLength(0);
    const paid = loadEvent('checkout.session.async_payment_succeeded.jpy');
    await h.post(paid);
    await h.settle();
    const meta = (h.meta.requests[0]!.body as { data: Record<string, unknown>[] }).data[0]!;
    expect(meta).toMatchObject({
      event_time: paid.created,
      event_id: paid.data.object.id,
      user_data: expect.objectContaining({
        fn: [sha('山田')],
        ln: [sha('花子')],
        ct: [sha('渋谷区')],
        zp: [sha('1500041')],
        ph: [sha('819012345678')],
      }),
      custom_data: expect.objectContaining({ currency: 'JPY', value: 5000 }),
    });
    expect(meta.user_data).not.toHaveProperty('fbc');
    const tiktok = (h.tiktok.requests[0]!.body as { data: Record<string, Record<string, unknown>>[] }).data[0]!;
    expect(tiktok.properties).toMatchObject({ currency: 'JPY', value: 5000 });
    expect(tiktok.user).toMatchObject({ phone: [sha('+819012345678')], ttclid: paid.data.object.metadata!.ttclid });
  });

  it('a subscription checkout: the purchase and Subscribe, both with the session id', async () => {
    const event = loadEvent('checkout.session.completed.subscription.eur.paid');
    await h.post(event);
    await h.settle();
    const names = (r: typeof h.meta.requests) =>
      r.flatMap((x) => (x.body as { data: { event_name?: string; event?: string; event_id: string }[] }).data.map((e) => `${e.event_name ?? e.event}:${e.event_id}`)).sort();
    const id = event.data.object.id;
    expect(names(h.meta.requests)).toEqual([`Purchase:${id}`, `Subscribe:${id}`]);
    expect(names(h.tiktok.requests)).toEqual([`CompletePayment:${id}`, `Subscribe:${id}`]);
  });
});
