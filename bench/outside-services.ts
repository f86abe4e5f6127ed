/**
 * The outside world of the webhook throughput benchmark, in its own process so that serving it does
 * not share an event loop with the instance under test or the load generator: the Stripe API
 * stand-in (line items for any session) and TikTok and Meta answering at once. Run with tsx over an
 * IPC channel: it sends `{ ready, urls }`, answers `counts` with how many requests each received,
 * and exits on `close`.
 */
import { lineItemsFor, startFakeStripe } from '../test/support/fake-stripe.ts';
import { startFakeMeta, startFakeTikTok, type FakePlatform } from '../test/support/fake-platforms.ts';

export interface ServiceUrls {
  stripe: string;
  tiktok: string;
  meta: string;
}

export interface ServiceCounts {
  stripe: number;
  tiktok: number;
  meta: number;
  /** Events carried by the platform requests (a request holds up to 1,000). */
  events: number;
}

const send = (message: object) => process.send?.(message);
const [stripe, tiktok, meta] = await Promise.all([
  startFakeStripe({ anySessionLineItems: lineItemsFor.usd }),
  startFakeTikTok(),
  startFakeMeta(),
]);

// Bodies are kept only as their event counts: a long run would otherwise hold every request.
const events = (p: FakePlatform) => p.requests.reduce((sum, r) => sum + (((r.body as { data?: unknown[] }).data ?? []).length), 0);
const counted = { stripe: 0, tiktok: 0, meta: 0, events: 0 };
const compact = () => {
  counted.stripe += stripe.requests.splice(0).length;
  counted.events += events(tiktok) + events(meta);
  counted.tiktok += tiktok.requests.splice(0).length;
  counted.meta += meta.requests.splice(0).length;
};
const timer = setInterval(compact, 1000);

process.on('message', async (message) => {
  if (message === 'counts') {
    compact();
    send({ counts: { ...counted } satisfies ServiceCounts });
  } else if (message === 'close') {
    clearInterval(timer);
    await Promise.allSettled([stripe.close(), tiktok.close(), meta.close()]);
    process.exit(0);
  }
});
send({ ready: true, urls: { stripe: stripe.baseUrl, tiktok: tiktok.baseUrl, meta: meta.baseUrl } satisfies ServiceUrls });
