import type Stripe from 'stripe';
import type { Database } from '../db/port.ts';
import { DatabaseError } from '../db/port.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import { errorText, type Logger } from '../log.ts';
import type { RevocationPolicy } from '../provisioning/charge.ts';
import type { ProvisionCommand, PurchaseStatus, RecordResult } from '../provisioning/command.ts';
import { subscriptionCommand } from '../provisioning/subscription.ts';
import { PINNED_API_VERSION, StripeApiError, type StripeApi } from '../stripe/api.ts';
import { commandForEvent } from './command-for-event.ts';
import { sanitizeJson } from './sanitize.ts';
import { eventIds, validateEvent, type Validated } from './schema/event.ts';

/** What recording one verified Stripe event needs: no request, no raw body. */
export interface IngestDeps {
  names: EventNameSettings;
  /** Opened lazily: an event refused before recording never touches the database. */
  db: () => Promise<Database>;
  stripeApi: StripeApi | null;
  expectedLivemode?: boolean;
  sendRenewals: boolean;
  policy: RevocationPolicy;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: Logger;
}

export interface Ingested {
  ok: true;
  event_id: string;
  event_type: string;
  outcome: 'processed' | 'duplicate' | 'ignored';
  purchase_status?: PurchaseStatus;
  /** Outbox rows the transaction made due now, for the fast path. */
  deliver: number[];
}

/**
 * Why an event was not recorded. `invalid`: it can never be processed (retrying cannot help);
 * the others can succeed later. `detail` is error text for the log, never personal data.
 */
export type Refusal =
  | { reason: 'invalid'; detail: string }
  | { reason: 'stripe_unavailable'; detail: string }
  | { reason: 'database'; unavailable: boolean; detail: string }
  | { reason: 'internal'; detail: string };

export type IngestResult = Ingested | ({ ok: false; event_id: string | null; event_type: string | null } & Refusal);

/**
 * One Stripe event, already authenticated (a verified signature, or read from Stripe's API), taken
 * from parsed JSON to one recorded transaction: gather (Stripe API reads) → decide (pure mapping) →
 * record (one SQL call), re-reading a subscription when the database cannot order two states.
 */
export async function ingestEvent(input: unknown, deps: IngestDeps): Promise<IngestResult> {
  const checked = checkEvent(input);
  if (!checked.ok) return { ok: false, event_id: checked.event_id, event_type: checked.event_type, reason: 'invalid', detail: checked.reason };
  const { event } = checked;
  const ids = { event_id: event.id, event_type: event.type };

  if (event.api_version && event.api_version !== PINNED_API_VERSION) {
    deps.log.info('event api_version differs from the pinned one; processed as is', { ...ids, api_version: event.api_version, pinned: PINNED_API_VERSION });
  }
  try {
    const command = await commandFor(event, deps);
    let result = await record(deps, event, command);
    if (result.outcome === 'refetch') result = await recordRefetched(deps, event, command);
    if (result.outcome === 'refetch') throw new Error('the database asked twice to re-read the subscription');
    return { ok: true, ...ids, outcome: result.outcome, ...(result.purchase_status && { purchase_status: result.purchase_status }), deliver: result.deliver ?? [] };
  } catch (error) {
    return { ok: false, ...ids, ...refusalFor(error) };
  }
}

/** Events of the deployment's other mode are recorded and ignored, without reading Stripe's API. */
async function commandFor(event: Stripe.Event, deps: IngestDeps): Promise<ProvisionCommand> {
  if (deps.expectedLivemode === undefined || event.livemode === deps.expectedLivemode) return commandForEvent(event, deps);
  const detail = `${event.livemode ? 'live' : 'test'}-mode event on a ${event.livemode ? 'test' : 'live'}-mode deployment`;
  deps.log.warn('event ignored', { event_id: event.id, event_type: event.type, detail });
  return { action: 'ignore', detail };
}

/** Two states of one subscription in the same second: Stripe's current one decides. */
async function recordRefetched(deps: IngestDeps, event: Stripe.Event, command: ProvisionCommand): Promise<RecordResult> {
  deps.log.info('re-reading the subscription from Stripe', { event_id: event.id, event_type: event.type });
  const fresh = deps.stripeApi ? await deps.stripeApi.retrieveSubscription((event.data.object as { id: string }).id) : null;
  // Dated by Stripe's clock, and never older than the event that asked for it.
  const readAt = Math.max(fresh?.readAt ?? Math.floor(deps.now() / 1000), event.created);
  const retry = fresh ? subscriptionCommand(fresh.subscription, readAt, true) : { ...command, refetched: true };
  return record(deps, event, retry as ProvisionCommand);
}

async function record(deps: IngestDeps, event: Stripe.Event, command: ProvisionCommand): Promise<RecordResult> {
  const db = await deps.db();
  return db.call<RecordResult>('stripe_record_event', { event, command });
}

function refusalFor(error: unknown): Refusal {
  if (error instanceof StripeApiError) return { reason: 'stripe_unavailable', detail: errorText(error) };
  if (error instanceof DatabaseError) return { reason: 'database', unavailable: error.unavailable, detail: errorText(error) };
  // A bug, not an outage: the caller answers 500, so Stripe keeps the event until a fixed version takes it.
  return { reason: 'internal', detail: errorText(error) };
}

/** Once, at the edge: typed text cleaned, then the shape checked, so nothing later can trip on either. */
function checkEvent(input: unknown): Validated {
  const sanitized = sanitizeJson(input);
  if (!sanitized.ok) return { ok: false, reason: sanitized.reason, ...eventIds(input) };
  return validateEvent(sanitized.value);
}
