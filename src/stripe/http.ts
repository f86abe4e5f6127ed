import type Stripe from 'stripe';

/** The Stripe API version every request asks for; the installed SDK's types must speak it. */
export const PINNED_API_VERSION: Stripe.LatestApiVersion = '2026-10-28.endive';

/** Stripe could not be read: the webhook answers 503 and Stripe retries the event later. */
export class StripeApiError extends Error {
  override readonly name = 'StripeApiError';
  constructor(message: string, readonly status: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface StripeGetOptions {
  secretKey: string;
  /** e.g. http://127.0.0.1:12111 for a local stand-in of the Stripe API. */
  baseUrl?: string;
  timeoutMs: number;
}

export interface StripeAnswer<T> {
  body: T;
  /** Stripe's `Date` header, Unix seconds, when it sent a usable one. */
  date: number | null;
}

/** Worth one more try: conflicts on a locked object, rate limits and Stripe's own failures. */
const RETRIED_STATUSES = (status: number) => status === 409 || status === 429 || status >= 500;
const RETRY_DELAY_MS = 300;

/**
 * A read-only GET of the Stripe API: secret key as Bearer, the pinned `Stripe-Version`, a deadline
 * per attempt and one retry on a network error, 409, 429 or 5xx (GETs need no idempotency key).
 */
export function stripeGetter({ secretKey, baseUrl, timeoutMs }: StripeGetOptions) {
  const origin = (baseUrl ?? 'https://api.stripe.com').replace(/\/+$/, '');
  const headers = {
    Authorization: `Bearer ${secretKey}`,
    'Stripe-Version': PINNED_API_VERSION,
    'User-Agent': 'stripe-conversions-netlify',
  };

  const attempt = async <T>(url: string): Promise<StripeAnswer<T> | { retry: StripeApiError }> => {
    let res: Response;
    try {
      res = await fetch(url, { headers, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
    } catch (error) {
      const e = error as Error & { cause?: { code?: string } };
      const what = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
      return { retry: new StripeApiError(what, undefined, { cause: error }) };
    }
    const text = await res.text();
    if (res.ok) {
      const date = Date.parse(res.headers.get('date') ?? '');
      return { body: JSON.parse(text) as T, date: Number.isFinite(date) ? Math.floor(date / 1000) : null };
    }
    const error = new StripeApiError(stripeMessage(text) ?? 'no error message', res.status);
    if (RETRIED_STATUSES(res.status)) return { retry: error };
    throw error;
  };

  return async function get<T>(what: string, path: string, query: Record<string, string> = {}): Promise<StripeAnswer<T>> {
    const search = new URLSearchParams(query).toString();
    const url = `${origin}${path}${search ? `?${search}` : ''}`;
    try {
      let answer = await attempt<T>(url);
      if ('retry' in answer) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_DELAY_MS));
        answer = await attempt<T>(url);
        if ('retry' in answer) throw answer.retry;
      }
      return answer;
    } catch (error) {
      const e = error instanceof StripeApiError ? error : new StripeApiError((error as Error).message, undefined, { cause: error });
      throw new StripeApiError(`${what} failed${e.status ? ` (${e.status})` : ''}: ${e.message}`, e.status, { cause: error });
    }
  };
}

function stripeMessage(text: string): string | undefined {
  try {
    const message = (JSON.parse(text) as { error?: { message?: unknown } }).error?.message;
    return typeof message === 'string' ? message : undefined;
  } catch {
    return undefined;
  }
}
