import type { BaseSettings, Destination } from '../destinations/types.ts';
import { completed, type ClaimedRow, type CompletedRow } from './claimed-row.ts';
import { NetworkError, type HttpSend } from './send.ts';

export interface BatchContext {
  destination: Destination;
  settings: BaseSettings;
  options: { testEventCode?: string };
  send: HttpSend;
  timeoutMs: number;
  now: () => number;
}

/**
 * Sends rows in one request and reads the answer. Platforms reject a whole batch for one bad event,
 * so a permanent rejection of several rows is retried one row at a time: only the bad row is
 * dead-lettered and its siblings still go out.
 */
export async function sendBatch(ctx: BatchContext, rows: ClaimedRow[]): Promise<CompletedRow[]> {
  const conversions = rows.flatMap((r) => (r.payload ? [r.payload] : []));
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

  if (verdict.outcome === 'permanent' && rows.length > 1) {
    const singles = await Promise.all(rows.map((row) => sendBatch(ctx, [row])));
    return singles.flat();
  }
  return rows.map((r) => completed(r, verdict, { http_status: status, latency_ms }));
}
