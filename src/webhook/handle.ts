import type Stripe from 'stripe';
import type { Database } from '../db/port.ts';
import { DatabaseError } from '../db/port.ts';
import type { RecordResult } from '../provisioning/command.ts';
import { StripeApiError, type StripeApi } from '../stripe/api.ts';
import { SignatureError, verifyStripeSignature } from '../stripe/signature.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import { errorText, type Logger } from '../log.ts';
import { commandForEvent } from './command-for-event.ts';

export interface WebhookDeps {
  webhookSecrets: readonly string[];
  maxBodyBytes: number;
  names: EventNameSettings;
  /** Opened lazily: a request with a bad signature never touches the database. */
  db: () => Promise<Database>;
  stripeApi: StripeApi | null;
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

  let command;
  try {
    command = await commandForEvent(event, { stripeApi: deps.stripeApi, names: deps.names });
  } catch (error) {
    if (!(error instanceof StripeApiError)) throw error;
    deps.log.error('stripe api unavailable', { ...ids, error: errorText(error) });
    return { response: json(503, { error: 'stripe api unavailable, retry later' }) };
  }

  let result: RecordResult;
  try {
    const db = await deps.db();
    result = await db.call<RecordResult>('stripe_record_event', { event, command });
  } catch (error) {
    const unavailable = error instanceof DatabaseError ? error.unavailable : true;
    deps.log.error('recording the event failed', { ...ids, unavailable, error: errorText(error) });
    return { response: json(unavailable ? 503 : 500, { error: 'database error, retry later' }) };
  }

  deps.log.info('stripe event recorded', { ...ids, outcome: result.outcome, purchase_status: result.purchase_status });
  const body = { received: true, outcome: result.outcome, ...(result.purchase_status && { purchase_status: result.purchase_status }) };
  const due = result.deliver ?? [];
  const background = due.length > 0 && deps.deliver ? deps.deliver(due) : undefined;
  return { response: json(200, body), ...(background && { background }) };
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
