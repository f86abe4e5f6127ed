import type { Conversion } from '../conversions/types.ts';
import type { Classification, DeliveryOutcome } from '../destinations/types.ts';

/** A row as outbox_claim returns it. */
export interface ClaimedRow {
  id: number;
  destination: string;
  event_name: string;
  event_id: string;
  kind: string;
  livemode: boolean;
  payload: Conversion | null;
  attempts: number;
  max_attempts: number;
  lease_token: string;
  /** Unix seconds. */
  event_time: number;
}

/** What outbox_complete takes for one row. */
export interface CompletedRow {
  id: number;
  lease_token: string;
  outcome: DeliveryOutcome | 'skipped' | 'expired';
  reason?: string;
  http_status?: number;
  platform_code?: string;
  trace_id?: string;
  latency_ms?: number;
  retry_after_seconds?: number;
}

/** The conversions to send for rows, each named as its row stored it. */
export function conversionsOf(rows: ClaimedRow[]): Conversion[] {
  return rows.flatMap((r) => (r.payload ? [{ ...r.payload, eventName: r.event_name }] : []));
}

export function completed(
  row: ClaimedRow,
  result: Partial<Omit<Classification, 'outcome'>> & { outcome: CompletedRow['outcome'] },
  extra: { http_status?: number; latency_ms?: number } = {},
): CompletedRow {
  return {
    id: row.id,
    lease_token: row.lease_token,
    outcome: result.outcome,
    ...(result.reason !== undefined && { reason: result.reason }),
    ...(result.platformCode !== undefined && { platform_code: result.platformCode }),
    ...(result.traceId !== undefined && { trace_id: result.traceId }),
    ...(result.retryAfterSeconds !== undefined && { retry_after_seconds: result.retryAfterSeconds }),
    ...extra,
  };
}
