import { completed, type ClaimedRow, type CompletedRow } from './claimed-row.ts';
import { requestOnce, type RequestContext } from './request.ts';
import { bisectionDepth } from './settings.ts';

export interface BatchContext extends RequestContext {
  /** Seconds the destination asked this run to wait (0: go on); checked before every request. */
  pausedFor(): number;
  /** A rate limit or retry-after: no more requests to this destination in this run for that long. */
  pause(seconds: number): void;
}

/**
 * Requests one batch may spend: enough to isolate two bad events by bisection (each costs two
 * requests per level). A request-wide rejection (say, a pixel the token cannot write to) would
 * otherwise split down to every single row.
 */
export const requestBudget = (rows: number) => 1 + 4 * bisectionDepth(rows);

/**
 * Sends rows in one request and reads the answer. A platform rejects a whole request for one bad
 * event (Meta), or accepts part of it without saying which events failed (TikTok 20001), so such an
 * answer for several rows splits them in halves and sends each again, side by side, until the bad
 * rows stand alone: ~2·log2(n) more requests for one bad event instead of n. Resending an accepted
 * event is harmless: the platforms deduplicate on event_id.
 */
export function sendBatch(ctx: BatchContext, rows: ClaimedRow[]): Promise<CompletedRow[]> {
  return sendPart(ctx, rows, { requests: requestBudget(rows.length) });
}

async function sendPart(ctx: BatchContext, rows: ClaimedRow[], budget: { requests: number }): Promise<CompletedRow[]> {
  const wait = ctx.pausedFor();
  if (wait > 0) {
    const reason = `not sent: ${ctx.destination.name} asked to slow down`;
    return rows.map((r) => completed(r, { outcome: 'retryable', reason, retryAfterSeconds: wait }));
  }
  if (budget.requests <= 0) {
    const reason = 'rejected together with other events; not isolated within this batch\'s request budget';
    return rows.map((r) => completed(r, { outcome: 'retryable', reason }));
  }
  budget.requests -= 1;

  const { verdict, httpStatus, latencyMs } = await requestOnce(ctx, rows);
  if (verdict.retryAfterSeconds) ctx.pause(verdict.retryAfterSeconds);
  if ((verdict.outcome === 'permanent' || verdict.partial) && rows.length > 1) {
    const mid = Math.ceil(rows.length / 2);
    const halves = await Promise.all([sendPart(ctx, rows.slice(0, mid), budget), sendPart(ctx, rows.slice(mid), budget)]);
    return halves.flat();
  }
  const extra = { latency_ms: latencyMs, ...(httpStatus !== undefined && { http_status: httpStatus }) };
  return rows.map((r) => completed(r, verdict, extra));
}
