import type Stripe from 'stripe';

/**
 * `GET /v1/events` with plain fetch: every event of the given types created at or after `since`,
 * page by page (`starting_after`), newest first as Stripe lists them. A 429 (or a 5xx) is retried
 * after Stripe's `Retry-After`, else with a doubling delay; other answers fail with Stripe's message.
 */
export interface EventsClientOptions {
  secretKey: string;
  /** STRIPE_API_BASE_URL, else Stripe's own. */
  baseUrl?: string;
  timeoutMs: number;
  /** Told about each wait, e.g. to print it. */
  onRetry?: (info: { status: number; waitMs: number; reason: string | null }) => void;
  maxRetries?: number;
  /** Events per request (Stripe allows 1 to 100). */
  pageSize?: number;
}

export class StripeEventsError extends Error {
  override readonly name = 'StripeEventsError';
}

export async function* listEvents(
  query: { since: Date; types: readonly string[] },
  options: EventsClientOptions,
): AsyncGenerator<Stripe.Event[]> {
  let after: string | undefined;
  for (;;) {
    const params = new URLSearchParams({ limit: String(options.pageSize ?? 100), 'created[gte]': String(Math.floor(query.since.getTime() / 1000)) });
    for (const type of query.types) params.append('types[]', type);
    if (after) params.set('starting_after', after);
    const page = await getWithRetries(`${(options.baseUrl ?? 'https://api.stripe.com').replace(/\/+$/, '')}/v1/events?${params}`, options);
    if (page.data.length > 0) yield page.data;
    if (!page.has_more || page.data.length === 0) return;
    after = page.data.at(-1)!.id;
  }
}

async function getWithRetries(url: string, options: EventsClientOptions): Promise<Stripe.ApiList<Stripe.Event>> {
  const maxRetries = options.maxRetries ?? 6;
  for (let attempt = 0; ; attempt++) {
    let response: Response;
    try {
      response = await fetch(url, {
        headers: { authorization: `Bearer ${options.secretKey}` },
        signal: AbortSignal.timeout(options.timeoutMs),
      });
    } catch (error) {
      if (attempt >= maxRetries) throw new StripeEventsError(`Stripe API unreachable: ${(error as Error).message}`);
      await wait(options, 0, backoffMs(attempt), null);
      continue;
    }
    if (response.ok) return (await response.json()) as Stripe.ApiList<Stripe.Event>;
    const retryable = response.status === 429 || response.status >= 500;
    if (!retryable || attempt >= maxRetries) throw new StripeEventsError(`Stripe API answered ${response.status}: ${await messageOf(response)}`);
    await response.body?.cancel();
    const retryAfter = Number(response.headers.get('retry-after'));
    const waitMs = Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : backoffMs(attempt);
    await wait(options, response.status, waitMs, response.headers.get('stripe-rate-limited-reason'));
  }
}

const backoffMs = (attempt: number) => Math.min(30_000, 500 * 2 ** attempt);

async function wait(options: EventsClientOptions, status: number, waitMs: number, reason: string | null): Promise<void> {
  options.onRetry?.({ status, waitMs, reason });
  await new Promise((resolve) => setTimeout(resolve, waitMs));
}

async function messageOf(response: Response): Promise<string> {
  const text = await response.text();
  try {
    return (JSON.parse(text) as { error?: { message?: string } }).error?.message ?? text.slice(0, 200);
  } catch {
    return text.slice(0, 200);
  }
}
