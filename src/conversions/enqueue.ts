import type { Database } from '../db/port.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import type { OutboxConversion } from '../provisioning/command.ts';
import { outboxRows } from './outbox-rows.ts';
import type { Conversion } from './types.ts';

/** Who queues a conversion that no Stripe event caused (conversion_outbox.origin). */
export type EnqueueOrigin = 'checkout' | 'browser' | 'server';

export type EnqueueRow = Omit<OutboxConversion, 'subscription_id'> & { origin: EnqueueOrigin };

/** What outbox_enqueue answers: the new rows (for the fast path) and how many were already queued. */
export interface EnqueueResult {
  ids: number[];
  duplicates: number;
}

/**
 * The rows for conversions without a Stripe event, one per destination that names the kind, built
 * exactly as the webhook builds its own (denied consent → skipped, no payload).
 */
export function enqueueRows(conversions: readonly Conversion[], origin: EnqueueOrigin, names: EventNameSettings): EnqueueRow[] {
  return conversions.flatMap((conversion) =>
    outboxRows(conversion, null, names).map(({ subscription_id: _unused, ...row }) => ({ ...row, origin })),
  );
}

/** One SQL call, one transaction: the rows are queued together or not at all. */
export function enqueue(db: Database, rows: readonly EnqueueRow[]): Promise<EnqueueResult> {
  return db.call<EnqueueResult>('outbox_enqueue', { rows });
}
