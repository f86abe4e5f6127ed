import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import * as tiktokSettings from './destinations/tiktok/settings.ts';
import * as metaSettings from './destinations/meta/settings.ts';
import * as opsSettings from './ops/settings.ts';
import * as databaseSettings from './db/settings.ts';
import type { TiktokSettings } from './destinations/tiktok/settings.ts';
import type { MetaSettings } from './destinations/meta/settings.ts';
import * as httpSettings from './http/settings.ts';
import type { HttpSettings } from './http/settings.ts';
import * as checkoutSettings from './checkout/settings.ts';
import type { CheckoutSettings } from './checkout/settings.ts';
import type { OpsSettings } from './ops/settings.ts';
import * as trackSettings from './track/settings.ts';
import type { TrackSettings } from './track/settings.ts';
import * as deliverySettings from './outbox/settings.ts';

/**
 * The only reader of the environment. Everything else receives a Config. A bad environment fails
 * once, with every bad key listed (names only: values may be secrets).
 */
z.config(en());

/**
 * Used by `npm start` and `npm run replay` when no secret is configured, so a fresh clone works. It is
 * public, so nothing else accepts it: not Netlify, and not the Netlify CLI, which runs the functions
 * as deployed (docs/decisions.md).
 */
export const LOCAL_WEBHOOK_SECRET = 'whsec_local_development_only';

const optionalText = z.optional(z.pipe(z.string(), z.transform((s) => s.trim() || undefined)));
const httpUrl = z.url({ protocol: /^https?$/ });
const positiveInt = (fallback: number) => z._default(z.coerce.number().check(z.int(), z.positive()), fallback);

const coreSchema = z.object({
  STRIPE_WEBHOOK_SECRET: z.string({ error: 'required: the endpoint signing secret, whsec_… (only npm start supplies a development one; for the Netlify CLI, set one in .env)' }).check(
    z.refine((v) => v.split(',').every((s) => /^whsec_\S+$/.test(s.trim())), {
      message: 'must be one or more comma-separated whsec_… secrets',
    }),
  ),
  STRIPE_SECRET_KEY: z.optional(z.string().check(z.regex(/^(sk|rk)_(test|live)_\S+$/, 'must be an sk_… or rk_… key'))),
  STRIPE_API_BASE_URL: z.optional(httpUrl),
  STRIPE_API_TIMEOUT_MS: positiveInt(5000),
  DATABASE_URL: z.optional(z.string().check(z.regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL'))),
  SUPABASE_URL: z.optional(httpUrl),
  SUPABASE_SERVICE_ROLE_KEY: optionalText,
  DATA_DIR: z._default(z.string(), '.data'),
  DELIVERY_TIMEOUT_MS: positiveInt(5000),
  DELIVERY_BATCH_SIZE: positiveInt(deliverySettings.MAX_BATCH_SIZE),
  DELIVERY_LEASE_SECONDS: positiveInt(120),
  WEBHOOK_MAX_BODY_BYTES: positiveInt(1_048_576),
  PORT: positiveInt(8888),
  LOG_LEVEL: z._default(z.enum(['debug', 'info', 'warn', 'error']), 'info'),
  RENEWAL_CONVERSIONS: z._default(z.stringbool(), false),
  REVOKE_ON_FULL_REFUND: z._default(z.stringbool(), true),
  REVOKE_ON_DISPUTE: z._default(z.stringbool(), true),
});

const envSchema = z.object({
  ...coreSchema.shape,
  ...tiktokSettings.envSchema.shape,
  ...metaSettings.envSchema.shape,
  ...httpSettings.envSchema.shape,
  ...checkoutSettings.envSchema.shape,
  ...opsSettings.envSchema.shape,
  ...databaseSettings.envSchema.shape,
  ...trackSettings.envSchema.shape,
  ...deliverySettings.envSchema.shape,
});

export type Storage =
  | { kind: 'postgres'; url: string }
  | { kind: 'supabase'; url: string; serviceRoleKey: string }
  | { kind: 'pglite'; dataDir: string };

export interface Config {
  stripe: {
    webhookSecrets: string[];
    secretKey?: string;
    /** Known from the secret key (sk_live_/rk_live_ = live); events of the other mode are ignored. */
    expectedLivemode?: boolean;
    apiBaseUrl?: string;
    apiTimeoutMs: number;
  };
  storage: Storage;
  database: databaseSettings.DatabaseSettings;
  tiktok: TiktokSettings | null;
  meta: MetaSettings | null;
  tiktokPurchaseEvent: string;
  delivery: { timeoutMs: number; batchSize: number; leaseSeconds: number; concurrency: number };
  lifecycle: { sendRenewals: boolean; revokeOnFullRefund: boolean; revokeOnDispute: boolean };
  webhook: { maxBodyBytes: number };
  port: number;
  logLevel: 'debug' | 'info' | 'warn' | 'error';
  /** Browser-facing functions: allowed origins, the site's address, whether consent is required. */
  http: HttpSettings;
  /** create-checkout-session: prices, return URLs, whether sign-in is required, token verification. */
  checkout: CheckoutSettings;
  ops: OpsSettings;
  track: TrackSettings;
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface LoadOptions {
  /** Local runs (npm start, replay) get a development webhook secret when none is set. */
  local?: boolean;
}

type Env = Record<string, string | undefined>;

export function loadConfig(env: Env = process.env, options: LoadOptions = {}): Config {
  // Unset and empty are the same thing in a .env file or the Netlify UI.
  const input: Env = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v.trim() !== ''));
  if (options.local) input.STRIPE_WEBHOOK_SECRET ??= LOCAL_WEBHOOK_SECRET;

  const parsed = envSchema.safeParse(input);
  const problems = parsed.success
    ? []
    : parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
  problems.push(...crossFieldProblems(input));
  if (!options.local) problems.push(...developmentSecretProblems(input));
  if (!parsed.success || problems.length > 0) throw new ConfigError(problems);
  const e = parsed.data;

  let storage: Storage;
  if (e.DATABASE_URL) storage = { kind: 'postgres', url: e.DATABASE_URL };
  else if (e.SUPABASE_URL && e.SUPABASE_SERVICE_ROLE_KEY)
    storage = { kind: 'supabase', url: e.SUPABASE_URL, serviceRoleKey: e.SUPABASE_SERVICE_ROLE_KEY };
  else storage = { kind: 'pglite', dataDir: e.DATA_DIR };

  return {
    stripe: {
      webhookSecrets: e.STRIPE_WEBHOOK_SECRET.split(',').map((s) => s.trim()),
      secretKey: e.STRIPE_SECRET_KEY,
      ...(e.STRIPE_SECRET_KEY && { expectedLivemode: /^(sk|rk)_live_/.test(e.STRIPE_SECRET_KEY) }),
      apiBaseUrl: e.STRIPE_API_BASE_URL,
      apiTimeoutMs: e.STRIPE_API_TIMEOUT_MS,
    },
    storage,
    database: databaseSettings.toSettings(e),
    tiktok: tiktokSettings.toSettings(e),
    meta: metaSettings.toSettings(e),
    tiktokPurchaseEvent: tiktokSettings.purchaseEventName(e),
    delivery: {
      timeoutMs: e.DELIVERY_TIMEOUT_MS,
      batchSize: e.DELIVERY_BATCH_SIZE,
      leaseSeconds: e.DELIVERY_LEASE_SECONDS,
      concurrency: e.DELIVERY_CONCURRENCY,
    },
    lifecycle: {
      sendRenewals: e.RENEWAL_CONVERSIONS,
      revokeOnFullRefund: e.REVOKE_ON_FULL_REFUND,
      revokeOnDispute: e.REVOKE_ON_DISPUTE,
    },
    webhook: { maxBodyBytes: e.WEBHOOK_MAX_BODY_BYTES },
    port: e.PORT,
    logLevel: e.LOG_LEVEL,
    http: httpSettings.toSettings(e),
    checkout: checkoutSettings.toSettings(e, e.URL, e.SUPABASE_URL),
    ops: opsSettings.toSettings(e),
    track: trackSettings.toSettings(e),
  };
}

/**
 * Settings that depend on each other, checked on the raw values so that they are reported together
 * with every other bad key.
 */
function crossFieldProblems(input: Env): string[] {
  const problems: string[] = [];
  if (input.SUPABASE_URL && !input.SUPABASE_SERVICE_ROLE_KEY) {
    problems.push('SUPABASE_SERVICE_ROLE_KEY: required when SUPABASE_URL is set');
  }
  // A claim may take a batch request and then a bisection of its rejected rows: the lease must
  // outlast both, or a second worker takes the rows over while they are sent.
  const num = (key: string, fallback: number) => (input[key] === undefined ? fallback : Number(input[key]));
  const lease = num('DELIVERY_LEASE_SECONDS', 120);
  const timeout = num('DELIVERY_TIMEOUT_MS', 5000);
  const batch = num('DELIVERY_BATCH_SIZE', deliverySettings.MAX_BATCH_SIZE);
  if ([lease, timeout, batch].every((n) => Number.isInteger(n) && n > 0)) {
    const needed = deliverySettings.minimumLeaseSeconds(timeout, batch);
    if (lease < needed) problems.push(`DELIVERY_LEASE_SECONDS: must be at least ${needed} for this timeout and batch size`);
  }
  return problems;
}

/** Anyone can sign with the published development secret: only local runs may accept it. */
function developmentSecretProblems(input: Env): string[] {
  const secrets = (input.STRIPE_WEBHOOK_SECRET ?? '').split(',').map((s) => s.trim());
  return secrets.includes(LOCAL_WEBHOOK_SECRET)
    ? [`STRIPE_WEBHOOK_SECRET: ${LOCAL_WEBHOOK_SECRET} is public and accepted by npm start only; set a secret of your own`]
    : [];
}

/** Every environment key the project reads; `.env.example` must document exactly these. */
export const ENV_KEYS: readonly string[] = Object.keys(envSchema.shape);
