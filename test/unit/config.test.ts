import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ConfigError, ENV_KEYS, LOCAL_WEBHOOK_SECRET, loadConfig } from '../../src/config.ts';

const SECRET = 'whsec_test_secret_for_unit_tests_only';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('loadConfig', () => {
  it('lists every bad key at once, by name, without echoing values', () => {
    const problems = problemsOf({
      STRIPE_WEBHOOK_SECRET: 'not-a-secret',
      STRIPE_SECRET_KEY: 'pk_live_oops',
      DATABASE_URL: 'mysql://x',
      META_API_VERSION: '26',
      TIKTOK_PURCHASE_EVENT: 'Buy',
      PORT: 'eighty',
    });
    const keys = problems.map((p) => p.split(':')[0]);
    expect(keys.sort()).toEqual(
      ['DATABASE_URL', 'META_API_VERSION', 'PORT', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'TIKTOK_PURCHASE_EVENT'].sort(),
    );
    expect(problems.join('\n')).not.toContain('pk_live_oops');
  });

  it('requires the webhook secret outside local runs, and supplies a development one locally', () => {
    expect(problemsOf({})).toEqual([
      'STRIPE_WEBHOOK_SECRET: required: the endpoint signing secret, whsec_… (only npm start supplies a development one; for the Netlify CLI, set one in .env)',
    ]);
    expect(loadConfig({}, { local: true }).stripe.webhookSecrets).toEqual([LOCAL_WEBHOOK_SECRET]);
  });

  it('accepts the public development secret in local runs only, even among others', () => {
    expect(problemsOf({ STRIPE_WEBHOOK_SECRET: `${SECRET},${LOCAL_WEBHOOK_SECRET}` })).toEqual([
      `STRIPE_WEBHOOK_SECRET: ${LOCAL_WEBHOOK_SECRET} is public and accepted by npm start only; set a secret of your own`,
    ]);
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: LOCAL_WEBHOOK_SECRET }, { local: true }).stripe.webhookSecrets).toEqual([LOCAL_WEBHOOK_SECRET]);
  });

  it('accepts several comma-separated secrets', () => {
    const config = loadConfig({ STRIPE_WEBHOOK_SECRET: `${SECRET}, whsec_second_test_secret` });
    expect(config.stripe.webhookSecrets).toEqual([SECRET, 'whsec_second_test_secret']);
  });

  it('picks storage: DATABASE_URL, then Supabase, then the embedded database', () => {
    const base = { STRIPE_WEBHOOK_SECRET: SECRET };
    expect(loadConfig({ ...base, DATABASE_URL: 'postgres://u@h/db', SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' }).storage.kind).toBe('postgres');
    expect(loadConfig({ ...base, SUPABASE_URL: 'https://x.supabase.co', SUPABASE_SERVICE_ROLE_KEY: 'k' }).storage.kind).toBe('supabase');
    expect(loadConfig(base).storage).toEqual({ kind: 'pglite', dataDir: '.data' });
    expect(problemsOf({ ...base, SUPABASE_URL: 'https://x.supabase.co' })).toEqual([expect.stringMatching(/^SUPABASE_SERVICE_ROLE_KEY:/)]);
  });

  it('treats empty values as unset and turns destinations on only with pixel and token', () => {
    const config = loadConfig({ STRIPE_WEBHOOK_SECRET: SECRET, TIKTOK_PIXEL_ID: 'C123', TIKTOK_ACCESS_TOKEN: '', META_PIXEL_ID: '1', META_ACCESS_TOKEN: 't' });
    expect(config.tiktok).toBeNull();
    expect(config.meta).toMatchObject({ pixelId: '1', apiVersion: 'v26.0', apiBaseUrl: 'https://graph.facebook.com' });
    expect(config.tiktokPurchaseEvent).toBe('CompletePayment');
  });
});

describe('delivery timing', () => {
  it('refuses a lease too short to cover a batch request and its bisection', () => {
    // 5 s per request, batches of 1000: the request plus ceil(log2 1000) = 10 rounds, plus a 5 s margin.
    const base = { STRIPE_WEBHOOK_SECRET: SECRET, DELIVERY_TIMEOUT_MS: '5000', DELIVERY_BATCH_SIZE: '1000' };
    expect(problemsOf({ ...base, DELIVERY_LEASE_SECONDS: '59' })).toEqual([
      'DELIVERY_LEASE_SECONDS: must be at least 60 for this timeout and batch size',
    ]);
    expect(problemsOf({ ...base, DELIVERY_LEASE_SECONDS: '60' })).toEqual([]);
    // Batches of 100 need 7 rounds after the request.
    expect(problemsOf({ ...base, DELIVERY_BATCH_SIZE: '100', DELIVERY_LEASE_SECONDS: '44' })).toEqual([
      'DELIVERY_LEASE_SECONDS: must be at least 45 for this timeout and batch size',
    ]);
    expect(problemsOf({ STRIPE_WEBHOOK_SECRET: SECRET })).toEqual([]);
  });

  it('takes a bounded number of claims in flight per destination', () => {
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: SECRET }).delivery).toMatchObject({ batchSize: 1000, concurrency: 4 });
    expect(loadConfig({ STRIPE_WEBHOOK_SECRET: SECRET, DELIVERY_CONCURRENCY: '8' }).delivery.concurrency).toBe(8);
    expect(problemsOf({ STRIPE_WEBHOOK_SECRET: SECRET, DELIVERY_CONCURRENCY: '17' })).toEqual(['DELIVERY_CONCURRENCY: must be at most 16']);
  });

  it('is reported together with every other bad key', () => {
    const problems = problemsOf({ STRIPE_WEBHOOK_SECRET: 'nope', DELIVERY_LEASE_SECONDS: '1', SUPABASE_URL: 'https://x.supabase.co' });
    expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DELIVERY_LEASE_SECONDS', 'STRIPE_WEBHOOK_SECRET', 'SUPABASE_SERVICE_ROLE_KEY']);
  });
});

describe('.env.example', () => {
  it('documents exactly the keys the config module reads', () => {
    const documented = readFileSync('.env.example', 'utf8')
      .split('\n')
      .filter((line) => /^[A-Z0-9_]+=/.test(line))
      .map((line) => line.split('=')[0]);
    expect([...documented].sort()).toEqual([...ENV_KEYS].sort());
  });
});
