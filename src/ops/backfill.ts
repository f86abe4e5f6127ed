import type Stripe from 'stripe';

/** Stripe keeps events for 30 days; `GET /v1/events` lists nothing older. */
export const STRIPE_EVENT_HISTORY_DAYS = 30;

/** What ingesting one event gave, as the webhook's own path (ingestEvent) reports it. */
export type IngestOutcome = { ok: true; outcome: 'processed' | 'duplicate' | 'ignored' } | { ok: false; reason: string; detail: string };

export interface BackfillDeps {
  /** Pages of events, newest first, as Stripe lists them. */
  pages: AsyncIterable<Stripe.Event[]>;
  /** The webhook's path for one verified event: same command, same one SQL call. */
  ingest: (event: Stripe.Event) => Promise<IngestOutcome>;
  /** After listing (total known) and after each event. */
  progress?: (done: number, total: number) => void;
}

export interface BackfillSummary {
  listed: number;
  processed: number;
  duplicate: number;
  ignored: number;
  failed: number;
  /** Event ids and why, for the failed ones (no payloads). */
  failures: { event_id: string; reason: string }[];
  /** Dry run: what would be ingested, by type. */
  byType: Record<string, number>;
}

/**
 * Lists every page first, then ingests oldest first, so a subscription's states arrive in the order
 * Stripe created them (the database keeps the newest anyway). One event failing does not stop the
 * rest; running it again retries exactly those, as everything else is a duplicate by then.
 */
export async function backfill(deps: BackfillDeps, options: { dryRun?: boolean } = {}): Promise<BackfillSummary> {
  const events: Stripe.Event[] = [];
  for await (const page of deps.pages) events.push(...page);
  // Stripe lists newest first; equal seconds keep Stripe's order reversed.
  const ordered = events.map((event, i) => ({ event, i })).sort((a, b) => a.event.created - b.event.created || b.i - a.i).map((x) => x.event);

  const summary: BackfillSummary = { listed: ordered.length, processed: 0, duplicate: 0, ignored: 0, failed: 0, failures: [], byType: {} };
  for (const event of ordered) summary.byType[event.type] = (summary.byType[event.type] ?? 0) + 1;
  if (options.dryRun) return summary;

  deps.progress?.(0, ordered.length);
  for (const [index, event] of ordered.entries()) {
    const result = await deps.ingest(event);
    if (result.ok) summary[result.outcome] += 1;
    else {
      summary.failed += 1;
      summary.failures.push({ event_id: event.id, reason: `${result.reason}: ${result.detail}` });
    }
    deps.progress?.(index + 1, ordered.length);
  }
  return summary;
}

/** Whether `since` reaches further back than Stripe's event history. */
export function beyondStripeHistory(since: Date, nowMs: number): boolean {
  return nowMs - since.getTime() > STRIPE_EVENT_HISTORY_DAYS * 86_400_000;
}
