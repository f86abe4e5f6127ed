import type { Database } from '../db/port.ts';
import { errorText, type Logger } from '../log.ts';
import type { OpsSettings } from './settings.ts';

export interface RetentionResult {
  outbox_cleared: number;
  stripe_events_cleared: number;
}

/**
 * Clears payloads past their retention (one SQL call; the rows and their outcomes stay). Run by the
 * scheduled drain after delivery; a failure is logged and retried on the next run, never thrown.
 */
export async function applyRetention(db: Database, settings: OpsSettings['retention'], log: Logger): Promise<RetentionResult | null> {
  try {
    const result = await db.call<RetentionResult>('ops_retention', {
      outbox_days: settings.outboxDays,
      stripe_event_days: settings.stripeEventDays,
    });
    if (result.outbox_cleared > 0 || result.stripe_events_cleared > 0) log.info('retention cleared payloads', { ...result });
    return result;
  } catch (error) {
    log.error('retention failed; the next drain tries again', { error: errorText(error) });
    return null;
  }
}
