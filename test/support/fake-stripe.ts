/**
 * A local stand-in for the Stripe API on 127.0.0.1 (random port), serving the read-only calls the
 * webhook makes, with Stripe's list objects, error envelopes and status codes:
 *
 *   GET /v1/checkout/sessions/:id/line_items   (limit, starting_after, ending_before)
 *   GET /v1/checkout/sessions/:id              (expand[]=line_items)
 *   GET /v1/subscriptions/:id
 *   GET /v1/invoices/:id
 *   GET /v1/checkout/sessions?subscription=…  (list, filtered by subscription)
 *   GET /v1/invoice_payments?payment[type]=payment_intent&payment[payment_intent]=…
 *   GET /v1/prices/:id
 *   POST /v1/checkout/sessions                 (form-encoded; validated, stored, honours Idempotency-Key)
 *   GET /v1/events?created[gte]=…&types[]=…   (newest first, limit, starting_after; setEvents)
 *
 * Point stripe-node at it with `new Stripe(key, { host: '127.0.0.1', port, protocol: 'http' })`, or
 * use `baseUrl` for STRIPE_API_BASE_URL. Requests need `Authorization: Bearer sk_test_…` (or rk_test_).
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type Stripe from 'stripe';
import { formDecode } from './form-decode.ts';
import { createCheckoutSession, type WirePrice } from './fake-stripe-checkout.ts';
import { loadEvent, type Wire } from './stripe-sign.ts';

export type WireLineItem = Wire<Stripe.LineItem>;

export interface FakeStripeOptions {
  /** Line items per Checkout Session id. */
  lineItems?: Record<string, WireLineItem[]>;
  subscriptions?: Record<string, object>;
  invoices?: Record<string, object>;
  sessions?: Record<string, object>;
  /** Prices for `GET /v1/prices/:id` and session creation; the catalog below is always there. */
  prices?: Record<string, object>;
  /** Line items of any session not named in `lineItems` (a load test's fresh sessions); else 404. */
  anySessionLineItems?: WireLineItem[];
}

export interface RecordedRequest {
  method: string;
  /** Path without the query string, e.g. `/v1/subscriptions/sub_…`. */
  path: string;
  query: Record<string, string>;
  authorization: string | null;
  stripeVersion: string | null;
  idempotencyKey: string | null;
  /** The raw form body of a POST. */
  body?: string;
  /** Status sent back (undefined while the response is pending, 0 for a dropped connection). */
  status?: number;
}

export interface FakeStripe {
  baseUrl: string;
  host: '127.0.0.1';
  port: number;
  /** Every request received, in order. */
  requests: RecordedRequest[];
  setLineItems(sessionId: string, items: WireLineItem[]): void;
  setObject(kind: 'subscriptions' | 'invoices' | 'sessions' | 'prices', id: string, object: object): void;
  /** A stored Checkout Session (fixtures, or one created through `POST /v1/checkout/sessions`). */
  session(id: string): Wire<Stripe.Checkout.Session> | undefined;
  /** Which invoice a payment intent paid (for `GET /v1/invoice_payments`). */
  setInvoicePayment(paymentIntentId: string, invoiceId: string): void;
  /** The next `times` requests fail with `status` (Stripe's error body), or with a dropped connection. */
  failNext(status: number | 'drop', times?: number): void;
  /** Delay every following response by `ms` (0 turns it off). */
  delayMs(ms: number): void;
  /** The account's event log for `GET /v1/events` (any order; listed newest first). */
  setEvents(events: Stripe.Event[]): void;
  /**
   * After `skip` more requests, the next `times` get Stripe's 429 (`rate_limit`,
   * `Stripe-Rate-Limited-Reason`), with a `Retry-After` header when `retryAfterSeconds` is given.
   */
  rateLimitNext(options?: { times?: number; skip?: number; retryAfterSeconds?: number }): void;
  close(): Promise<void>;
}

const API_VERSION = '2026-10-28.endive';
const KEY = /^Bearer ((?:sk|rk)_test_[A-Za-z0-9_]+)$/;
const DOC_MISSING = 'https://stripe.com/docs/error-codes/resource-missing';

interface StripeError {
  type: 'invalid_request_error' | 'api_error' | 'card_error' | 'idempotency_error';
  message: string;
  code?: string;
  param?: string;
  doc_url?: string;
  decline_code?: string;
}

class HttpError {
  constructor(
    readonly status: number,
    readonly error: StripeError,
  ) {}
}

export async function startFakeStripe(options: FakeStripeOptions = {}): Promise<FakeStripe> {
  const lineItems = new Map(Object.entries(options.lineItems ?? {}));
  const invoicePayments = new Map<string, string>();
  const stores = {
    subscriptions: new Map(Object.entries(options.subscriptions ?? {})),
    invoices: new Map(Object.entries(options.invoices ?? {})),
    sessions: new Map(Object.entries(options.sessions ?? {})),
    prices: new Map<string, object>([...Object.values(prices).map((p) => [p.id, p] as const), ...Object.entries(options.prices ?? {})]),
  };
  const idempotent = new Map<string, { body: string; status: number; response: unknown }>();
  const requests: RecordedRequest[] = [];
  const failures: (number | 'drop')[] = [];
  const rateLimit = { skip: 0, times: 0, retryAfter: undefined as number | undefined };
  let events: Stripe.Event[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let delay = 0;

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      authorization: req.headers.authorization ?? null,
      stripeVersion: header(req, 'stripe-version'),
      idempotencyKey: header(req, 'idempotency-key'),
    };
    requests.push(record);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));

    const respond = () => {
      if (rateLimit.times > 0 && rateLimit.skip > 0) rateLimit.skip -= 1;
      else if (rateLimit.times > 0) {
        rateLimit.times -= 1;
        const { retryAfter } = rateLimit;
        record.status = 429;
        const error = { type: 'invalid_request_error', code: 'rate_limit', message: 'Too many requests hit the API too quickly. We recommend an exponential backoff of your requests.', doc_url: 'https://stripe.com/docs/error-codes/rate-limit' };
        res.writeHead(429, {
          'content-type': 'application/json',
          'stripe-rate-limited-reason': 'global-rate',
          ...(retryAfter !== undefined && { 'retry-after': String(retryAfter) }),
        });
        res.end(JSON.stringify({ error }));
        return;
      }
      const failure = failures.shift();
      if (failure === 'drop') {
        record.status = 0;
        req.socket.destroy();
        return;
      }
      let status = 200;
      let body: unknown;
      try {
        if (failure !== undefined) throw injected(failure);
        authenticate(req);
        if (req.method === 'POST') ({ status, body } = post(url, record));
        else body = route(req.method ?? 'GET', url);
      } catch (err) {
        const error = err instanceof HttpError ? err : new HttpError(500, { type: 'api_error', message: String(err) });
        status = error.status;
        body = { error: error.error };
      }
      record.status = status;
      send(req, res, status, body);
    };
    const start = () => {
      record.body = req.method === 'POST' ? Buffer.concat(chunks).toString('utf8') : undefined;
      if (delay > 0) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          respond();
        }, delay);
        timers.add(timer);
      } else respond();
    };
    req.on('end', start);
  });

  /** POST /v1/checkout/sessions, answered once per Idempotency-Key as Stripe does. */
  function post(url: URL, record: RecordedRequest): { status: number; body: unknown } {
    const path = url.pathname.replace(/\/+$/, '');
    if (path !== '/v1/checkout/sessions') return { status: 200, body: route('POST', url) };
    const form = record.body ?? '';
    const key = record.idempotencyKey;
    const earlier = key ? idempotent.get(key) : undefined;
    if (earlier && earlier.body !== form) {
      throw new HttpError(400, {
        type: 'idempotency_error',
        message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${key}' if you meant to execute a different request.`,
      });
    }
    if (earlier) return { status: earlier.status, body: earlier.response };
    const created = createCheckoutSession(formDecode(form), stores.prices as Map<string, WirePrice>, Math.floor(Date.now() / 1000));
    const answer = created.ok ? { status: 200, body: created.session as unknown } : { status: created.status, body: { error: created.error } };
    if (created.ok) {
      stores.sessions.set(created.session.id, created.session);
      lineItems.set(
        created.session.id,
        created.lineItems.map((l, i) => item(`li_${created.session.id.slice(8, 30)}${i}`, l.price, String(l.price.product), l.quantity)),
      );
    }
    if (key) idempotent.set(key, { body: form, status: answer.status, response: answer.body });
    return answer;
  }

  function route(method: string, url: URL): unknown {
    const path = url.pathname.replace(/\/+$/, '');
    const segments = path.split('/').slice(1).map(decodeURIComponent);
    if (method === 'GET' && path === '/v1/checkout/sessions') {
      const subscription = url.searchParams.get('subscription');
      const matching = [...stores.sessions.values()].filter(
        (s) => !subscription || (s as { subscription?: unknown }).subscription === subscription,
      );
      return page(matching as { id: string }[], url.searchParams, '/v1/checkout/sessions');
    }
    if (method === 'GET' && path === '/v1/events') {
      const since = Number(url.searchParams.get('created[gte]') ?? 0);
      const types = url.searchParams.getAll('types[]');
      const listed = events
        .filter((e) => e.created >= since && (types.length === 0 || types.includes(e.type)))
        .sort((a, b) => b.created - a.created);
      return page(listed, url.searchParams, '/v1/events');
    }
    if (method === 'GET' && path === '/v1/invoice_payments') {
      const pi = url.searchParams.get('payment[payment_intent]') ?? '';
      const invoice = invoicePayments.get(pi);
      const data = invoice
        ? [{ id: `inpay_${pi.slice(3)}`, object: 'invoice_payment', invoice, is_default: true, status: 'paid',
             payment: { type: 'payment_intent', payment_intent: pi }, livemode: false }]
        : [];
      return page(data, url.searchParams, '/v1/invoice_payments');
    }
    const known =
      /^\/v1\/checkout\/sessions\/[^/]+(\/line_items)?$/.test(path) || /^\/v1\/(subscriptions|invoices|prices)\/[^/]+$/.test(path);
    if (!known) {
      throw new HttpError(404, {
        type: 'invalid_request_error',
        message: `Unrecognized request URL (${method}: ${path}). Please see https://stripe.com/docs or we can help at https://support.stripe.com/.`,
      });
    }
    if (method !== 'GET') {
      throw new HttpError(400, {
        type: 'invalid_request_error',
        message: `This local Stripe stand-in only answers GET requests (got ${method}: ${path}).`,
      });
    }
    const [, resource, id = '', sub] = segments[1] === 'checkout' ? segments.slice(1) : segments;
    const expand = expansions(url.searchParams);

    if (resource === 'sessions' && sub === 'line_items') {
      const anySession = options.anySessionLineItems;
      if (!lineItems.has(id) && !stores.sessions.has(id) && !anySession) throw missing('checkout.session', id, 'session');
      noExpansions(expand);
      return page(lineItems.get(id) ?? anySession ?? [], url.searchParams, `/v1/checkout/sessions/${id}/line_items`);
    }
    if (resource === 'sessions') {
      const session = stores.sessions.get(id);
      if (!session) throw missing('checkout.session', id, 'session');
      noExpansions(expand.filter((e) => e !== 'line_items'));
      if (!expand.includes('line_items')) return session;
      const items = lineItems.get(id) ?? [];
      return { ...session, line_items: page(items, new URLSearchParams(), `/v1/checkout/sessions/${id}/line_items`) };
    }
    noExpansions(expand);
    if (resource === 'subscriptions') return stores.subscriptions.get(id) ?? throwError(missing('subscription', id, 'id'));
    if (resource === 'prices') return stores.prices.get(id) ?? throwError(missing('price', id, 'price'));
    return stores.invoices.get(id) ?? throwError(missing('invoice', id, 'invoice'));
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    host: '127.0.0.1',
    port,
    requests,
    setLineItems(sessionId, items) {
      lineItems.set(sessionId, items);
    },
    setObject(kind, id, object) {
      stores[kind].set(id, object);
    },
    session(id) {
      return stores.sessions.get(id) as Wire<Stripe.Checkout.Session> | undefined;
    },
    setInvoicePayment(paymentIntentId, invoiceId) {
      invoicePayments.set(paymentIntentId, invoiceId);
    },
    failNext(status, times = 1) {
      for (let i = 0; i < times; i++) failures.push(status);
    },
    delayMs(ms) {
      delay = ms;
    },
    setEvents(list) {
      events = [...list];
    },
    rateLimitNext({ times = 1, skip = 0, retryAfterSeconds } = {}) {
      Object.assign(rateLimit, { times, skip, retryAfter: retryAfterSeconds });
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      return new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      });
    },
  };
}

function header(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

function authenticate(req: IncomingMessage): void {
  const auth = req.headers.authorization;
  if (!auth) {
    throw new HttpError(401, {
      type: 'invalid_request_error',
      message:
        "You did not provide an API key. You need to provide your API key in the Authorization header, using Bearer auth (e.g. 'Authorization: Bearer YOUR_SECRET_KEY'). See https://stripe.com/docs/api#authentication for details, or we can help at https://support.stripe.com/.",
    });
  }
  if (!KEY.test(auth)) {
    const key = auth.replace(/^(Bearer|Basic)\s+/i, '');
    throw new HttpError(401, { type: 'invalid_request_error', message: `Invalid API Key provided: ${redact(key)}` });
  }
}

function redact(key: string): string {
  const prefix = /^[a-z]{2}_(test|live)_/.exec(key)?.[0] ?? '';
  if (key.length <= prefix.length + 4) return `${prefix}${'*'.repeat(Math.max(key.length - prefix.length, 0))}`;
  return `${prefix}${'*'.repeat(key.length - prefix.length - 4)}${key.slice(-4)}`;
}

function expansions(params: URLSearchParams): string[] {
  const out: string[] = [];
  for (const [key, value] of params) if (/^expand(\[\d*\])?$/.test(key)) out.push(value);
  return out;
}

function noExpansions(expand: string[]): void {
  const [first] = expand;
  if (first !== undefined) {
    throw new HttpError(400, {
      type: 'invalid_request_error',
      message: `This local Stripe stand-in cannot expand '${first}'.`,
      param: 'expand',
    });
  }
}

/** One page of a Stripe list, as `GET` list endpoints return it. */
function page<T extends { id: string }>(items: T[], params: URLSearchParams, url: string) {
  const limit = integer(params.get('limit'), 10);
  if (limit < 1 || limit > 100) {
    throw new HttpError(400, {
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      message: `Invalid limit: must be ${limit < 1 ? 'at least 1' : 'at most 100'}`,
      param: 'limit',
    });
  }
  const after = params.get('starting_after');
  const before = params.get('ending_before');
  let data: T[];
  let hasMore: boolean;
  if (after) {
    const start = indexOf(items, after, 'starting_after') + 1;
    data = items.slice(start, start + limit);
    hasMore = start + limit < items.length;
  } else if (before) {
    const end = indexOf(items, before, 'ending_before');
    data = items.slice(Math.max(0, end - limit), end);
    hasMore = end - limit > 0;
  } else {
    data = items.slice(0, limit);
    hasMore = limit < items.length;
  }
  return { object: 'list' as const, data, has_more: hasMore, url };
}

function indexOf(items: { id: string }[], id: string, param: string): number {
  const index = items.findIndex((item) => item.id === id);
  if (index < 0) {
    throw new HttpError(400, {
      type: 'invalid_request_error',
      code: 'resource_missing',
      doc_url: DOC_MISSING,
      message: `No such item: '${id}'`,
      param,
    });
  }
  return index;
}

function integer(value: string | null, fallback: number): number {
  if (value === null) return fallback;
  if (!/^-?\d+$/.test(value)) {
    throw new HttpError(400, {
      type: 'invalid_request_error',
      code: 'parameter_invalid_integer',
      message: `Invalid integer: ${value}`,
      param: 'limit',
    });
  }
  return Number(value);
}

function missing(kind: string, id: string, param: string): HttpError {
  return new HttpError(404, {
    type: 'invalid_request_error',
    code: 'resource_missing',
    doc_url: DOC_MISSING,
    message: `No such ${kind}: '${id}'`,
    param,
  });
}

function throwError(error: HttpError): never {
  throw error;
}

/** Stripe's answer for each status a test may inject. */
function injected(status: number): HttpError {
  switch (status) {
    case 401:
      return new HttpError(401, { type: 'invalid_request_error', message: 'Invalid API Key provided: sk_test_****************************1234' });
    case 402:
      return new HttpError(402, { type: 'card_error', code: 'card_declined', decline_code: 'generic_decline', message: 'Your card was declined.' });
    case 403:
      return new HttpError(403, {
        type: 'invalid_request_error',
        message: 'The provided key does not have the required permissions for this endpoint on account. Having the right permissions would allow this request to continue.',
      });
    case 404:
      return new HttpError(404, { type: 'invalid_request_error', code: 'resource_missing', doc_url: DOC_MISSING, message: 'No such object.' });
    case 409:
      return new HttpError(409, {
        type: 'invalid_request_error',
        code: 'lock_timeout',
        message: 'This object cannot be accessed right now because another API request or Stripe process is currently accessing it. If you see this error intermittently, retry the request. If you see this error frequently and are making multiple concurrent requests to a single object, make your requests serially or at a lower rate.',
      });
    case 429:
      return new HttpError(429, {
        type: 'invalid_request_error',
        code: 'rate_limit',
        doc_url: 'https://stripe.com/docs/error-codes/rate-limit',
        message: 'Request rate limit exceeded. Learn more about rate limits here https://stripe.com/docs/rate-limits.',
      });
    default:
      if (status >= 500) {
        return new HttpError(status, {
          type: 'api_error',
          message: "Sorry, something went wrong. We've already been notified of the problem, but if you need any help, you can reach us at support.stripe.com/contact.",
        });
      }
      return new HttpError(status, { type: 'invalid_request_error', message: 'Invalid request.' });
  }
}

function send(req: IncomingMessage, res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body, null, 2);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-cache, no-store',
    'request-id': `req_${Math.random().toString(36).slice(2, 16).padEnd(14, '0')}`,
    'stripe-version': header(req, 'stripe-version') ?? API_VERSION,
    ...(status === 401 ? { 'www-authenticate': 'Bearer realm="Stripe"' } : {}),
  });
  res.end(text);
}

// ---------------------------------------------------------------------------------------------
// Line items and objects that match the fixtures in test/fixtures/stripe.

const CATALOG_CREATED = 1787644800; // 2026-08-25, well before the fixtures
const PRODUCTS = {
  license: 'prod_ITx2q8fKqoWk9D',
  support: 'prod_bA38mTbXGIZS81',
  pro: 'prod_7p27Ray6iv5i9I',
  team: 'prod_GFYMX7cjrbvYtg',
} as const;

function price(
  id: string,
  product: string,
  currency: string,
  unitAmount: number,
  createdOffset: number,
  lookupKey: string,
  recurring: boolean,
): Wire<Stripe.Price> {
  return {
    id,
    object: 'price',
    active: true,
    billing_scheme: 'per_unit',
    created: CATALOG_CREATED + createdOffset,
    currency,
    custom_unit_amount: null,
    livemode: false,
    lookup_key: lookupKey,
    metadata: {},
    nickname: null,
    product,
    recurring: recurring
      ? { interval: 'month', interval_count: 1, meter: null, trial_period_days: null, usage_type: 'licensed' }
      : null,
    tax_behavior: 'unspecified',
    tiers_mode: null,
    transform_quantity: null,
    type: recurring ? 'recurring' : 'one_time',
    unit_amount: unitAmount,
    unit_amount_decimal: String(unitAmount),
  };
}

/** The prices used by the fixtures (the EUR and USD-trial ones match the subscription items). */
export const prices = {
  licenseUsd: price('price_16YB7ADKRxFx7Qa2XM66vVSE', PRODUCTS.license, 'usd', 4900, 0, 'pro_license_usd', false),
  licenseJpy: price('price_18pGstLPRxFx7Qa2bMJcm9Mq', PRODUCTS.license, 'jpy', 5000, 60, 'pro_license_jpy', false),
  licenseKwd: price('price_1WSXZMkxRxFx7Qa2bnyxnxt8', PRODUCTS.license, 'kwd', 3200, 120, 'pro_license_kwd', false),
  supportKwd: price('price_1djW9p3YRxFx7Qa2KRS5MJJ4', PRODUCTS.support, 'kwd', 1920, 180, 'priority_support_kwd', false),
  proEur: price('price_1ZHbadLPRxFx7Qa23fXHFYEd', PRODUCTS.pro, 'eur', 1900, 240, 'pro_monthly_eur', true),
  teamUsd: price('price_1O8FFswZRxFx7Qa2grYwgjOQ', PRODUCTS.team, 'usd', 2900, 300, 'team_monthly_usd', true),
};

function item(id: string, p: Wire<Stripe.Price>, description: string, quantity: number, amountTotal?: number): WireLineItem {
  const total = amountTotal ?? (p.unit_amount ?? 0) * quantity;
  return {
    id,
    object: 'item',
    adjustable_quantity: null,
    amount_discount: 0,
    amount_subtotal: total,
    amount_tax: 0,
    amount_total: total,
    currency: p.currency,
    description,
    metadata: {},
    price: p,
    quantity,
  };
}

/** Line items of each fixture session, as `GET /v1/checkout/sessions/:id/line_items` returns them. */
export const lineItemsFor = {
  /** checkout.session.completed.payment.usd.paid: $49.00 */
  usd: [item('li_1hrbvenARxFx7Qa2NPeLBYiI', prices.licenseUsd, 'Pro Lifetime License', 1)],
  /** checkout.session.completed.subscription.eur.paid: €19.00 / month */
  eurSubscription: [item('li_1xhaM3v4RxFx7Qa2c99VCefy', prices.proEur, 'Pro', 1)],
  /** checkout.session.completed.subscription.usd.trialing: $29.00 / month, nothing due today */
  usdTrial: [item('li_1QgkaFNsRxFx7Qa2pjl4NXx9', prices.teamUsd, 'Team', 1, 0)],
  /** the JPY konbini session (completed / async_payment_*): ¥5,000 */
  jpy: [item('li_1vZbEKKsRxFx7Qa2nvNIwzLm', prices.licenseJpy, 'Pro Lifetime License', 1)],
  /** checkout.session.expired.usd */
  usdExpired: [item('li_1S189O4hRxFx7Qa2EshS6Ty8', prices.licenseUsd, 'Pro Lifetime License', 1)],
  /** checkout.session.completed.payment.kwd.paid: 3.200 + 1.920 = 5.120 KWD (two items) */
  kwd: [
    item('li_1Jjs3wUfRxFx7Qa2fu5tOwoR', prices.licenseKwd, 'Pro Lifetime License', 1),
    item('li_1TUUm4ZDRxFx7Qa2OpqgmHRt', prices.supportKwd, 'Priority Support (1 year)', 1),
  ],
} satisfies Record<string, WireLineItem[]>;

/**
 * Everything the fixtures refer to, ready for `startFakeStripe(fixtureStripeState())`: the sessions
 * (the JPY one as at `completed`, i.e. unpaid), their line items, the trialing USD subscription, the
 * active EUR subscription and its first invoice.
 */
export function fixtureStripeState(): Required<Omit<FakeStripeOptions, 'anySessionLineItems'>> {
  const sessions = {
    usd: loadEvent('checkout.session.completed.payment.usd.paid').data.object,
    eurSubscription: loadEvent('checkout.session.completed.subscription.eur.paid').data.object,
    usdTrial: loadEvent('checkout.session.completed.subscription.usd.trialing').data.object,
    jpy: loadEvent('checkout.session.completed.payment.jpy.unpaid-konbini').data.object,
    usdExpired: loadEvent('checkout.session.expired.usd').data.object,
    kwd: loadEvent('checkout.session.completed.payment.kwd.paid').data.object,
  };
  const invoice = loadEvent('invoice.paid.subscription_create.eur').data.object;
  const trial = loadEvent('customer.subscription.created.trialing.usd').data.object;
  const eur = activeEurSubscription(trial, invoice);
  return {
    sessions: Object.fromEntries(Object.values(sessions).map((s) => [s.id, s])),
    lineItems: Object.fromEntries(
      (Object.keys(sessions) as (keyof typeof sessions)[]).map((key) => [sessions[key].id, lineItemsFor[key]]),
    ),
    subscriptions: { [trial.id]: trial, [eur.id]: eur },
    invoices: { [invoice.id]: invoice },
    prices: {},
  };
}

/** The EUR subscription of the EUR fixtures, as `GET /v1/subscriptions/:id` returns it after payment. */
function activeEurSubscription(trial: Stripe.Subscription, invoice: Stripe.Invoice): Wire<Stripe.Subscription> {
  const template = structuredClone(trial) as unknown as Wire<Stripe.Subscription>;
  const line = invoice.lines.data[0];
  const itemId = line?.parent?.subscription_item_details?.subscription_item;
  const id = invoice.parent?.subscription_details?.subscription;
  if (!line || !itemId || typeof id !== 'string') throw new Error('EUR invoice fixture lacks its subscription');
  const { start, end } = line.period;
  const p = prices.proEur;
  return {
    ...template,
    id,
    billing_cycle_anchor: start,
    billing_mode: { ...template.billing_mode, updated_at: start },
    created: start,
    currency: 'eur',
    customer: invoice.customer as string,
    default_payment_method: 'pm_1CyZE6dJRxFx7Qa2oOM4LFVw',
    items: {
      object: 'list',
      data: [
        {
          id: itemId,
          object: 'subscription_item',
          billing_thresholds: null,
          created: start + 1,
          current_period_end: end,
          current_period_start: start,
          current_trial: null,
          discounts: [],
          metadata: {},
          plan: {
            id: p.id,
            object: 'plan',
            active: true,
            amount: p.unit_amount,
            amount_decimal: p.unit_amount_decimal,
            billing_scheme: 'per_unit',
            created: p.created,
            currency: p.currency,
            interval: 'month',
            interval_count: 1,
            livemode: false,
            metadata: {},
            meter: null,
            nickname: null,
            product: p.product,
            tiers_mode: null,
            transform_usage: null,
            trial_period_days: null,
            usage_type: 'licensed',
          },
          price: p,
          quantity: 1,
          subscription: id,
          tax_rates: [],
        },
      ],
      has_more: false,
      url: `/v1/subscription_items?subscription=${id}`,
    },
    latest_invoice: invoice.id,
    metadata: invoice.parent?.subscription_details?.metadata ?? {},
    start_date: start,
    status: 'active',
    trial_end: null,
    trial_start: null,
  };
}
