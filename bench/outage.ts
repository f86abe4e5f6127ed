/**
 * The database goes away and comes back (issue 10 §3): how long a webhook waits for its 503 while
 * PostgreSQL is stopping or stopped, and how long after the server is back the first webhook
 * succeeds. A private cluster (test/support/pg-cluster.ts) on its own port is stopped with
 * `pg_ctl -m fast stop` and started again, `cycles` times, while 4 senders keep posting signed paid
 * checkouts through the webhook core (src/webhook/handle.ts) with the default DATABASE_TIMEOUT_MS.
 */
import postgres from 'postgres';
import { createApp } from '../src/app.ts';
import { loadConfig } from '../src/config.ts';
import { migrate } from '../src/db/migrations.ts';
import { postgresMigrationTarget } from '../src/db/postgres.ts';
import { DEFAULT_DATABASE_TIMEOUT_MS } from '../src/db/settings.ts';
import { createLogger } from '../src/log.ts';
import { webhookDeps } from '../src/webhook/deps.ts';
import { handleStripeWebhook } from '../src/webhook/handle.ts';
import { startPrivateCluster } from '../test/support/pg-cluster.ts';
import { freshPaidCheckout } from '../test/support/fresh-checkout.ts';
import { eventBody, signedRequest } from '../test/support/stripe-sign.ts';
import { summarize, type Summary } from './stats.ts';

export interface OutageResult {
  cycles: number;
  timeoutMs: number;
  downMs: number;
  /** Sent while `pg_ctl stop` ran (the server shutting down): request → answer, whatever it was. */
  shuttingDown: Summary;
  /** Sent while the server was stopped: request → 503. */
  whileDown: Summary;
  /** Server accepting again (pg_ctl start returned) → the first 200, per cycle. */
  recovery: number[];
  /** Every answer's status, counted. */
  statuses: Record<string, number>;
}

interface Answer {
  sent: number;
  answered: number;
  status: number;
}

const SECRET = 'whsec_outage_bench_only';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function benchOutage(opts: { cycles: number; downMs: number }): Promise<OutageResult> {
  const cluster = await startPrivateCluster();
  const admin = postgres(cluster.url, { max: 1, onnotice: () => {} });
  await migrate(postgresMigrationTarget(admin));
  await admin.end();
  const app = createApp({
    config: loadConfig({ STRIPE_WEBHOOK_SECRET: SECRET, DATABASE_URL: cluster.url, LOG_LEVEL: 'error' }),
    log: createLogger('error', () => {}),
  });
  const answers: Answer[] = [];
  const background: Promise<unknown>[] = [];
  let running = true;
  const sender = async () => {
    while (running) {
      const request = signedRequest('http://127.0.0.1/.netlify/functions/stripe-webhook', eventBody(freshPaidCheckout().event), SECRET);
      const sent = performance.now();
      const { response, background: work } = await handleStripeWebhook(request, webhookDeps(app));
      answers.push({ sent, answered: performance.now(), status: response.status });
      if (work) background.push(work);
      await sleep(10);
    }
  };
  const shuttingDown: number[] = [];
  const whileDown: number[] = [];
  const recovery: number[] = [];
  const senders = Array.from({ length: 4 }, sender);
  try {
    for (let cycle = 0; cycle < opts.cycles; cycle++) {
      await sleep(1000);
      const stopping = performance.now();
      await cluster.stop();
      const down = performance.now();
      await sleep(opts.downMs);
      const starting = performance.now();
      await cluster.start();
      const up = performance.now();
      while (!answers.some((a) => a.sent >= up && a.status === 200)) await sleep(5);
      for (const a of answers) {
        if (a.sent >= stopping && a.sent < down) shuttingDown.push(a.answered - a.sent);
        if (a.sent >= down && a.answered <= starting) whileDown.push(a.answered - a.sent);
      }
      recovery.push(Math.min(...answers.filter((a) => a.sent >= up && a.status === 200).map((a) => a.answered)) - up);
    }
  } finally {
    running = false;
    await Promise.all(senders);
    await Promise.allSettled(background);
    await (await app.db().catch(() => null))?.close();
    await cluster.destroy();
  }
  const statuses: Record<string, number> = {};
  for (const a of answers) statuses[a.status] = (statuses[a.status] ?? 0) + 1;
  return {
    cycles: opts.cycles,
    timeoutMs: DEFAULT_DATABASE_TIMEOUT_MS,
    downMs: opts.downMs,
    shuttingDown: summarize(shuttingDown),
    whileDown: summarize(whileDown),
    recovery,
    statuses,
  };
}
