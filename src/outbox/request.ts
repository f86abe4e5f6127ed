import type { BaseSettings, Classification, Destination } from '../destinations/types.ts';
import type { Logger } from '../log.ts';
import { conversionsOf, type ClaimedRow } from './claimed-row.ts';
import { NetworkError, type HttpSend } from './send.ts';

export interface RequestContext {
  destination: Destination;
  settings: BaseSettings;
  options: { testEventCode?: string };
  send: HttpSend;
  timeoutMs: number;
  now: () => number;
  log: Logger;
}

export interface Answer {
  verdict: Classification;
  /** Absent when no HTTP answer came (timeout, connection refused). */
  httpStatus?: number;
  latencyMs: number;
}

/**
 * One platform request for rows of one destination and mode, read into a verdict, and logged as one
 * line that names events and counts, never people.
 */
export async function requestOnce(ctx: RequestContext, rows: ClaimedRow[]): Promise<Answer> {
  const conversions = conversionsOf(rows);
  const request = ctx.destination.buildRequest(conversions, ctx.settings as never, ctx.options);
  const started = ctx.now();
  let answer: Answer;
  try {
    const { status, body, retryAfterSeconds } = await ctx.send(request, ctx.timeoutMs);
    const verdict = ctx.destination.classify(status, body, conversions.length);
    // The platform's own retry-after beats the classifier's default wait.
    const hinted = verdict.outcome === 'retryable' && retryAfterSeconds !== undefined ? { ...verdict, retryAfterSeconds } : verdict;
    answer = { verdict: hinted, httpStatus: status, latencyMs: ctx.now() - started };
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    answer = { verdict: { outcome: 'retryable', reason: `network: ${error.message}` }, latencyMs: ctx.now() - started };
  }
  ctx.log.info('delivery request', {
    destination: ctx.destination.name,
    event_names: [...new Set(conversions.map((c) => c.eventName ?? c.kind))],
    count: conversions.length,
    status: answer.httpStatus ?? 'network',
    outcome: answer.verdict.partial ? 'partial' : answer.verdict.outcome,
    trace_id: answer.verdict.traceId,
    duration_ms: answer.latencyMs,
  });
  return answer;
}
