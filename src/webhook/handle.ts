import type Stripe from 'stripe';
import type { Database } from '../db/port.ts';
import { DatabaseError } from '../db/port.ts';
import type { ProvisionCommand, RecordResult } from '../provisioning/command.ts';
import { subscriptionCommand } from '../provisioning/subscription.ts';
import { PINNED_API_VERSION, StripeApiError, type StripeApi } from '../stripe/api.ts';
import { SignatureError, verifyStripeSignature } from '../stripe/signature.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import { errorText, type Logger } from '../log.ts';
import type { RevocationPolicy } from '../provisioning/charge.ts';
import { commandForEvent } from './command-for-event.ts';

export interface WebhookDeps {
  webhookSecrets: readonly string[];
  maxBodyBytes: number;
  names: EventNameSettings;
  /** Opened lazily: a request with a bad signature never touches the database. */
  db: () => Promise<Database>;
  stripeApi: StripeApi | null;
  expectedLivemode?: boolean;
  sendRenewals: boolean;
  policy: RevocationPolicy;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: Logger;
  /** The fast path: delivers the rows the transaction made due, after the response. */
  deliver?: (outboxIds: number[]) => Promise<unknown>;
}

export interface WebhookResult {
  response: Response;
  /** Work to finish after the response (Netlify: context.waitUntil). */
  background?: Promise<unknown>;
}

const json = (status: number, body: object, headers: Record<string, string> = {}) =>
  Response.json(body, { status, headers: { 'cache-control': 'no-store', ...headers } });

/**
 * Verify, map, record in one transaction, answer. Never 3xx; 4xx only for requests that can never
 * succeed (Stripe would retry them for days); 5xx whenever a retry could.
 */
export async function handleStripeWebhook(req: Request, deps: WebhookDeps): Promise<WebhookResult> {
  if (req.method !== 'POST') return { response: json(405, { error: 'method not allowed' }, { allow: 'POST' }) };

  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > deps.maxBodyBytes) return { response: json(413, { error: 'payload too large' }) };
  const raw = await req.text();
  if (Buffer.byteLength(raw, 'utf8') > deps.maxBodyBytes) return { response: json(413, { error: 'payload too large' }) };

  try {
    verifyStripeSignature(raw, req.headers.get('stripe-signature'), deps.webhookSecrets, {
      nowSeconds: Math.floor(deps.now() / 1000),
    });
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    deps.log.warn('webhook signature rejected', { reason: error.reason });
    return { response: json(400, { error: `invalid signature: ${error.reason}` }) };
  }

  const event = parseEvent(raw);
  if (!event) return { response: json(400, { error: 'body is not a Stripe event' }) };
  const ids = { event_id: event.id, event_type: event.type };

  if (event.api_version && event.api_version !== PINNED_API_VERSION) {
    deps.log.info('event api_version differs from the pinned one; processed as is', { ...ids, api_version: event.api_version, pinned: PINNED_API_VERSION });
  }

  let command: ProvisionCommand;
  let result: RecordResult;
  try {
    const mismatch = deps.expectedLivemode !== undefined && event.livemode !== deps.expectedLivemode;
    if (mismatch) {
      const detail = `${event.livemode ? 'live' : 'test'}-mode event on a ${event.livemode ? 'test' : 'live'}-mode deployment`;
      deps.log.warn('event ignored', { ...ids, detail });
      command = { action: 'ignore', detail };
    } else {
      command = await commandForEvent(event, deps);
    }
    result = await record(deps, event, command);
    if (result.outcome === 'refetch') {
      // Two states of one subscription in the same second: Stripe's current one decides.
      deps.log.info('re-reading the subscription from Stripe', ids);
      const fresh = deps.stripeApi ? await deps.stripeApi.retrieveSubscription((event.data.object as { id: string }).id) : null;
      // Dated by Stripe's clock, and never older than the event that asked for it.
      const readAt = Math.max(fresh?.readAt ?? Math.floor(deps.now() / 1000), event.created);
      const retry = fresh
        ? subscriptionCommand(fresh.subscription, readAt, true)
        : { ...command, refetched: true };
      result = await record(deps, event, retry as ProvisionCommand);
    }
  } catch (error) {
    if (error instanceof StripeApiError) {
      deps.log.error('stripe api unavailable', { ...ids, error: errorText(error) });
      return { response: json(503, { error: 'stripe api unavailable, retry later' }) };
    }
    if (error instanceof DatabaseError) {
      deps.log.error('recording the event failed', { ...ids, unavailable: error.unavailable, error: errorText(error) });
      return { response: json(error.unavailable ? 503 : 500, { error: 'database error, retry later' }) };
    }
    // A bug, not an outage: still 500, so Stripe keeps the event until a fixed version takes it.
    deps.log.error('handling the event failed', { ...ids, error: errorText(error) });
    return { response: json(500, { error: 'internal error' }) };
  }

  deps.log.info('stripe event recorded', { ...ids, outcome: result.outcome, purchase_status: result.purchase_status });
  const body = { received: true, outcome: result.outcome, ...(result.purchase_status && { purchase_status: result.purchase_status }) };
  const due = result.deliver ?? [];
  const background = due.length > 0 && deps.deliver ? deps.deliver(due) : undefined;
  return { response: json(200, body), ...(background && { background }) };
}

async function record(deps: WebhookDeps, event: Stripe.Event, command: ProvisionCommand): Promise<RecordResult> {
  const db = await deps.db();
  return db.call<RecordResult>('stripe_record_event', { event, command });
}

function parseEvent(raw: string): Stripe.Event | null {
  try {
    const event = JSON.parse(raw) as Partial<Stripe.Event> | null;
    const valid =
      event?.object === 'event' &&
      typeof event.id === 'string' &&
      typeof event.type === 'string' &&
      typeof event.created === 'number' &&
      typeof event.data?.object === 'object';
    return valid ? (event as Stripe.Event) : null;
  } catch {
    return null;
  }
}
