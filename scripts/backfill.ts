/**
 * `npm run backfill -- --since <2026-11-01 | 7d> [--dry-run]`: reads Stripe's event log
 * (`GET /v1/events`, the handled types, from `--since`) and ingests each event, oldest first, through
 * exactly the webhook's path: events the webhook missed are provisioned and their conversions
 * queued; the ones it already has are duplicates and change nothing. Stripe keeps 30 days of events.
 */
import { createApp } from '../src/app.ts';
import { backfill, beyondStripeHistory, STRIPE_EVENT_HISTORY_DAYS, type IngestOutcome } from '../src/ops/backfill.ts';
import { parseSince } from '../src/ops/since.ts';
import { listEvents, StripeEventsError } from '../src/ops/stripe-events.ts';
import { HANDLED_EVENTS } from '../src/webhook/command-for-event.ts';
import { webhookDeps } from '../src/webhook/deps.ts';
import { ingestEvent } from '../src/webhook/ingest.ts';
import { args, fail, localConfig, run } from './local.ts';

const USAGE = 'npm run backfill -- --since <2026-11-01 | 7d> [--dry-run]';
const { values } = args({ options: { since: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } } }, USAGE);
if (!values.since) fail(`usage: ${USAGE}`);
const since = parseSince(values.since, Date.now());
if (!(since instanceof Date)) fail(since.error);

const config = localConfig();
const { secretKey, apiBaseUrl, apiTimeoutMs } = config.stripe;
if (!secretKey) fail('STRIPE_SECRET_KEY is required to read the event log (read access to Events is enough)');
if (beyondStripeHistory(since, Date.now())) {
  console.warn(`note: Stripe keeps ${STRIPE_EVENT_HISTORY_DAYS} days of events; nothing older than that can be listed`);
}

// The delivery runs on its schedule (or npm run drain): backfill only records.
const app = createApp({ config });
const progress = process.stderr.isTTY ? bar : lines;

await run(async () => {
  const deps = webhookDeps(app);
  const summary = await backfill(
    {
      pages: listEvents({ since, types: [...HANDLED_EVENTS] }, {
        secretKey, baseUrl: apiBaseUrl, timeoutMs: apiTimeoutMs,
        onRetry: ({ status, waitMs, reason }) => console.warn(`Stripe answered ${status || 'nothing'}${reason ? ` (${reason})` : ''}; retrying in ${waitMs} ms`),
      }),
      ingest: async (event): Promise<IngestOutcome> => {
        const result = await ingestEvent(event, deps);
        return result.ok ? { ok: true, outcome: result.outcome } : { ok: false, reason: result.reason, detail: result.detail };
      },
      progress,
    },
    { dryRun: values['dry-run'] },
  ).catch((error: unknown) => {
    // Listing comes first, so nothing was ingested: a wrong key or an unreachable API, in one line.
    if (error instanceof StripeEventsError) fail(`${error.message}; nothing was ingested`);
    throw error;
  });
  await (await app.db()).close();
  if (process.stderr.isTTY) process.stderr.write('\n');
  if (values['dry-run']) {
    console.log(`dry run: ${summary.listed} event(s) since ${since.toISOString()} would be ingested`);
    for (const [type, n] of Object.entries(summary.byType).sort()) console.log(`  ${type}: ${n}`);
    return;
  }
  console.log(`processed ${summary.processed}, duplicate ${summary.duplicate}, ignored ${summary.ignored}, failed ${summary.failed} (of ${summary.listed} listed)`);
  for (const f of summary.failures) console.log(`  failed ${f.event_id}: ${f.reason}`);
  if (summary.failed > 0) {
    console.log('run the same command again to retry the failed ones: the others are duplicates by then');
    process.exitCode = 1;
  }
});

function bar(done: number, total: number): void {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total} events`);
}

function lines(done: number, total: number): void {
  if (done === 0 || done === total || done % 100 === 0) console.log(`${done}/${total} events`);
}
