import type { Database } from '../db/port.ts';
import { destinations } from '../destinations/registry.ts';

export interface RedriveFilters {
  /** Which final rows to move: dead (after fixing a token), skipped (after turning a destination on). */
  statuses: ('dead' | 'skipped')[];
  destination?: string;
  /** Only conversions whose event happened at or after this instant. */
  since?: Date;
  /** Case-insensitive part of the kept reason, e.g. `OAuth`. */
  reason?: string;
  eventId?: string;
  dryRun?: boolean;
}

export interface RedriveResult {
  dry_run: boolean;
  requeued: number;
  /** Rows left as they are, grouped by why: too old for the platform, or nothing left to send. */
  refused: { reason: string; count: number }[];
}

/** How old an event each platform still accepts: the same limit the delivery enforces. */
export const MAX_EVENT_AGE_SECONDS: Readonly<Record<string, number>> = Object.fromEntries(
  destinations.map((d) => [d.name, d.maxEventAgeSeconds]),
);

/** Moves dead and/or skipped rows back to due in one SQL call; refused rows stay put. */
export function redrive(db: Database, filters: RedriveFilters): Promise<RedriveResult> {
  return db.call<RedriveResult>('ops_redrive', {
    statuses: filters.statuses,
    destination: filters.destination,
    since: filters.since?.toISOString(),
    reason: filters.reason,
    event_id: filters.eventId,
    dry_run: filters.dryRun ?? false,
    max_age_seconds: MAX_EVENT_AGE_SECONDS,
  });
}
