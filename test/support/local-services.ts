import { fixtureStripeState, startFakeStripe, type FakeStripe } from './fake-stripe.ts';
import { startFakeMeta, startFakeTikTok, type FakePlatform } from './fake-platforms.ts';
import { freshDatabase, type TestDatabase } from './pg.ts';

/**
 * Everything the product talks to, on 127.0.0.1: a private database on the local PostgreSQL server
 * and fake Stripe, TikTok and Meta servers, plus the environment that points the product at them —
 * the same keys a deployment sets. Shared by the test harness and the benchmarks.
 */
export interface LocalServices {
  tdb: TestDatabase;
  stripe: FakeStripe;
  tiktok: FakePlatform;
  meta: FakePlatform;
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startLocalServices(webhookSecret: string): Promise<LocalServices> {
  const [tdb, stripe, tiktok, meta] = await Promise.all([
    freshDatabase(),
    startFakeStripe(fixtureStripeState()),
    startFakeTikTok(),
    startFakeMeta(),
  ]);
  return {
    tdb,
    stripe,
    tiktok,
    meta,
    env: {
      STRIPE_WEBHOOK_SECRET: webhookSecret,
      DATABASE_URL: tdb.url,
      TIKTOK_PIXEL_ID: 'CTESTPIXEL0000000000',
      TIKTOK_ACCESS_TOKEN: 'tiktok-test-token',
      // Fixture events are test mode: without test codes their conversions would be skipped.
      TIKTOK_TEST_EVENT_CODE: 'TEST_TIKTOK',
      TIKTOK_API_BASE_URL: tiktok.baseUrl,
      META_PIXEL_ID: '1234567890',
      META_ACCESS_TOKEN: 'meta-test-token',
      META_TEST_EVENT_CODE: 'TEST_META',
      META_API_BASE_URL: meta.baseUrl,
    },
    close: async () => {
      await Promise.allSettled([tdb.drop(), stripe.close(), tiktok.close(), meta.close()]);
    },
  };
}
