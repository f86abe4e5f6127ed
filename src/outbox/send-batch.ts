import type { BaseSettings, Destination } from '../destinations/types.ts';
import { completed, conversionsOf, type ClaimedRow, type CompletedRow } from './claimed-row.ts';
import { NetworkError, type HttpSend } from './send.ts';

export interface BatchContext {
  destination: Destination;
  settings: BaseSettings;
  options: { testEventCode?: string };
  send: HttpSend;
  timeoutMs: number;
  now: () => number;
}

/** Single-row resends of a rejected batch in flight at once. */
export const ISOLATION_CONCURRENCY = 10;

/**
 * Sends rows in one request and reads the answer. Platforms reject a whole batch for one bad event,
 * and TikTok's partial success does not say which events failed, so such an answer for several rows
 * is followed by one request per row: only the bad row is dead-lettered, its siblings still go out
 * (resending an accepted one is harmless: the platforms deduplicate on event_id).
 */
export async function sendBatch(ctx: BatchContext, rows: ClaimedRow[]): Promise<CompletedRow[]> {
  const conversions = conversionsOf(rows);
  const request = ctx.destination.buildRequest(conversions, ctx.settings as never, ctx.options);
  const started = ctx.now();
  let status: number;
  let body: string;
  try {
    ({ status, body } = await ctx.send(request, ctx.timeoutMs));
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    const latency_ms = ctx.now() - started;
    return rows.map((r) => completed(r, { outcome: 'retryable', reason: `network: ${error.message}` }, { latency_ms }));
  }
  const latency_ms = ctx.now() - started;
  const verdict = ctx.destination.classify(status, body, conversions.length);

  if ((verdict.outcome === 'permanent' || verdict.partial) && rows.length > 1) {
    const results: CompletedRow[] = [];
    for (let i = 0; i < rows.length; i += ISOLATION_CONCURRENCY) {
      const singles = await Promise.all(rows.slice(i, i + ISOLATION_CONCURRENCY).map((row) => sendBatch(ctx, [row])));
      results.push(...singles.flat());
    }
    return results;
  }
  return rows.map((r) => completed(r, verdict, { http_status: status, latency_ms }));
}
