import type Stripe from 'stripe';
import { formEncode, type FormValue } from './form-encode.ts';

/**
 * The two Stripe API calls checkout creation makes, over fetch: the SDK's runtime stays out of this
 * function's bundle (only its types are used). Same wire format, version and key as the SDK.
 */
export interface CheckoutStripe {
  retrievePrice(id: string): Promise<StripeResult<Stripe.Price>>;
  createSession(params: Stripe.Checkout.SessionCreateParams, idempotencyKey: string): Promise<StripeResult<Stripe.Checkout.Session>>;
}

export type StripeResult<T> = { ok: true; value: T } | { ok: false; failure: StripeFailure };

/** Why a call failed, without Stripe's message (it may quote what was sent, e.g. an email). */
export interface StripeFailure {
  /** HTTP status, or 0 when no answer came (timeout, connection refused). */
  status: number;
  type?: string;
  code?: string;
  param?: string;
}

/** The API version the webhook's SDK speaks (test/unit/checkout pins them together). */
export const STRIPE_API_VERSION = '2026-10-28.endive';
const DEFAULT_BASE_URL = 'https://api.stripe.com';

export interface CheckoutStripeOptions {
  secretKey: string;
  baseUrl?: string;
  timeoutMs: number;
}

export function createCheckoutStripe({ secretKey, baseUrl, timeoutMs }: CheckoutStripeOptions): CheckoutStripe {
  const base = (baseUrl ?? DEFAULT_BASE_URL).replace(/\/+$/u, '');
  const headers = { Authorization: `Bearer ${secretKey}`, 'Stripe-Version': STRIPE_API_VERSION };

  async function call<T>(path: string, init: { method: 'GET' | 'POST'; body?: string; idempotencyKey?: string }): Promise<StripeResult<T>> {
    // One retry, with the same idempotency key, for what Stripe itself says to retry.
    for (let attempt = 1; ; attempt++) {
      const result = await once<T>(path, init);
      if (result.ok || attempt >= 2 || !retryable(result.failure.status)) return result;
    }
  }

  async function once<T>(path: string, init: { method: 'GET' | 'POST'; body?: string; idempotencyKey?: string }): Promise<StripeResult<T>> {
    let response: Response;
    try {
      response = await fetch(base + path, {
        method: init.method,
        headers: {
          ...headers,
          ...(init.body !== undefined && { 'Content-Type': 'application/x-www-form-urlencoded' }),
          ...(init.idempotencyKey && { 'Idempotency-Key': init.idempotencyKey }),
        },
        body: init.body,
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch {
      return { ok: false, failure: { status: 0 } };
    }
    const body = (await response.json().catch(() => null)) as (T & { error?: Omit<StripeFailure, 'status'> }) | null;
    if (response.ok && body) return { ok: true, value: body };
    const error = body?.error ?? {};
    return { ok: false, failure: { status: response.status, type: error.type, code: error.code, param: error.param } };
  }

  return {
    retrievePrice: (id) => call(`/v1/prices/${encodeURIComponent(id)}`, { method: 'GET' }),
    createSession: (params, idempotencyKey) =>
      call('/v1/checkout/sessions', {
        method: 'POST',
        body: formEncode(params as unknown as Record<string, FormValue>),
        idempotencyKey,
      }),
  };
}

function retryable(status: number): boolean {
  return status === 0 || status === 409 || status === 429 || status >= 500;
}
