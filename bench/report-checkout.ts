/**
 * The create-checkout-session section of docs/benchmarks.md. Kept apart from report.ts only to keep
 * files small.
 */
import type { CheckoutLatencyResult } from './checkout-latency.ts';
import { ms, table } from './stats.ts';

export function checkoutSection(c: CheckoutLatencyResult): string[] {
  const rows = c.scenarios.map((s) => [
    s.signedIn ? 'signed in (HS256 token, customer lookup)' : 'guest',
    s.concurrency,
    ms(s.response.p50),
    ms(s.response.p90),
    ms(s.response.p99),
    ms(s.response.max),
    `${s.sessionsCreated} / ${s.delivered}`,
  ]);
  return [
    '## 5. create-checkout-session: response time with the Stripe stand-in',
    '',
    `${c.n} requests per row through \`netlify/functions/create-checkout-session.ts\`: CORS, body, token (signed-in rows), ` +
      'prices (read once, then cached per instance), the user’s customer (one SQL read), `POST /v1/checkout/sessions` ' +
      'to the loopback Stripe stand-in, and one SQL call queuing the InitiateCheckout. At concurrency 1 each request’s ' +
      'InitiateCheckout delivery finishes (untimed) before the next, as on one instance; at 4 they overlap.',
    '',
    table(['buyer', 'concurrency', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'sessions created / InitiateCheckout rows delivered'], rows),
    '',
    'At concurrency 4 requests wait for one another and for the overlapping InitiateCheckout deliveries on the ' +
      'instance’s two database connections, and the Stripe and platform stand-ins share this process’s CPU. ' +
      'The real Stripe API answers session creation in a few hundred milliseconds, which the stand-in does not model: ' +
      'in production that call dominates, and everything else here is what the function adds to it.',
    '',
  ];
}
