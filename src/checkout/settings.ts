import * as z from 'zod/mini';
import { httpUrl, unset } from '../destinations/env-fields.ts';

/** The placeholder Stripe replaces with the session id; a success page without it cannot find its purchase. */
export const SESSION_ID_PLACEHOLDER = '{CHECKOUT_SESSION_ID}';
const PRICE_ID = /^price_[A-Za-z0-9]+$/u;

/** The keys of create-checkout-session; the config module composes this with the other schemas. */
export const envSchema = z.object({
  CHECKOUT_PRICES: unset(
    z.string().check(
      z.refine((v) => v.split(',').every((s) => s.trim() === '' || PRICE_ID.test(s.trim())), {
        message: 'must be comma-separated price_… ids',
      }),
    ),
  ),
  CHECKOUT_SUCCESS_URL: unset(
    httpUrl.check(
      z.refine((v) => v.includes(SESSION_ID_PLACEHOLDER), { message: `must contain ${SESSION_ID_PLACEHOLDER}` }),
    ),
  ),
  CHECKOUT_CANCEL_URL: unset(httpUrl),
  CHECKOUT_REQUIRE_AUTH: z._default(z.stringbool(), false),
  SUPABASE_JWT_SECRET: unset(z.string().check(z.minLength(32, 'must be the project’s JWT secret (32 characters or more)'))),
});

export type CheckoutEnv = z.infer<typeof envSchema>;

export interface CheckoutSettings {
  /** The prices a request may buy; empty = checkout creation is off. */
  prices: string[];
  /** Undefined when neither CHECKOUT_SUCCESS_URL nor the site's URL is known. */
  successUrl?: string;
  cancelUrl?: string;
  requireAuth: boolean;
  /** How Supabase access tokens are verified: the legacy secret, and/or the project's JWKS. */
  jwt: { secret?: string; supabaseUrl?: string };
}

/** `siteUrl` is Netlify's `URL`: the defaults are its `/thanks?session_id=…` and `/`. */
export function toSettings(env: CheckoutEnv, siteUrl: string | undefined, supabaseUrl: string | undefined): CheckoutSettings {
  const site = siteUrl?.replace(/\/+$/u, '');
  return {
    prices: [...new Set((env.CHECKOUT_PRICES ?? '').split(',').map((s) => s.trim()).filter(Boolean))],
    successUrl: env.CHECKOUT_SUCCESS_URL ?? (site && `${site}/thanks?session_id=${SESSION_ID_PLACEHOLDER}`),
    cancelUrl: env.CHECKOUT_CANCEL_URL ?? (site && `${site}/`),
    requireAuth: env.CHECKOUT_REQUIRE_AUTH,
    jwt: {
      ...(env.SUPABASE_JWT_SECRET && { secret: env.SUPABASE_JWT_SECRET }),
      ...(supabaseUrl && { supabaseUrl: supabaseUrl.replace(/\/+$/u, '') }),
    },
  };
}
