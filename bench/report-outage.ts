/** The outage section of docs/benchmarks.md (bench/outage.ts). */
import type { OutageResult } from './outage.ts';
import { ms, table } from './stats.ts';

export function outageSection(o: OutageResult): string[] {
  const row = (label: string, s: OutageResult['whileDown']) => [label, s.n, ms(s.p50), ms(s.p90), ms(s.max)];
  const slowest = Math.max(o.shuttingDown.max || 0, o.whileDown.max || 0);
  const statuses = Object.entries(o.statuses).map(([status, n]) => `${status} × ${n}`).join(', ');
  return [
    '## 5. Database outage: time to 503 and time to recovery',
    '',
    `A private PostgreSQL cluster is stopped (\`pg_ctl -m fast stop\`), left down ${(o.downMs / 1000).toFixed(1)} s and started ` +
      `again, ${o.cycles} times, while 4 senders keep posting signed paid checkouts through the webhook ` +
      `(\`DATABASE_TIMEOUT_MS\` = ${o.timeoutMs}, the default; bench/outage.ts). Answers: ${statuses}.`,
    '',
    table(['webhooks', 'n', 'p50 ms', 'p90 ms', 'max ms'], [
      row('sent while the server was shutting down: request → answer (200 or 503)', o.shuttingDown),
      row('sent while the server was down: request → 503', o.whileDown),
    ]),
    '',
    table(['cycle', 'server accepting again → first 200, ms'], o.recovery.map((r, i) => [i + 1, ms(r)])),
    '',
    `What it shows: an outage answers at once (slowest ${ms(slowest)} ms against a bound of ${o.timeoutMs} ms), so Stripe ` +
      'retries later and the function is not billed for waiting; the first webhook after the restart succeeds, with no ' +
      'wait beyond connecting. Before the bound, postgres.js waited up to 20 s between reconnection attempts after repeated ' +
      'failures, shared by every later query: a black-box storm saw 14–21 s without an answer.',
    '',
  ];
}
