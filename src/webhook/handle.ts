import { SignatureError, verifyStripeSignature } from '../stripe/signature.ts';
import { errorText, type Fields } from '../log.ts';
import { ingestEvent, type IngestDeps, type IngestResult } from './ingest.ts';

export interface WebhookDeps extends IngestDeps {
  webhookSecrets: readonly string[];
  maxBodyBytes: number;
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
 * Verify, ingest, answer, and log one line per request (`msg: "webhook"`). Never 3xx; 4xx only for
 * requests that can never succeed (Stripe would retry them for days); 5xx whenever a retry could.
 */
export async function handleStripeWebhook(req: Request, deps: WebhookDeps): Promise<WebhookResult> {
  const started = performance.now();
  const { result, line } = await answer(req, deps).catch(
    // A bug outside ingestion (reading the body, the signature check): still one line, still a 500.
    (error: unknown): Answer => ({ result: { response: json(500, { error: 'internal error' }) }, line: { outcome: 'error', error: errorText(error) } }),
  );
  const status = result.response.status;
  const fields = { ...line, status, duration_ms: Math.round(performance.now() - started) };
  if (status >= 500 || line.outcome === 'invalid') deps.log.error('webhook', fields);
  else if (status >= 400) deps.log.warn('webhook', fields);
  else deps.log.info('webhook', fields);
  return result;
}

interface Answer {
  result: WebhookResult;
  line: Fields & { outcome: string };
}

async function answer(req: Request, deps: WebhookDeps): Promise<Answer> {
  const refuse = (status: number, error: string, line: Answer['line'], headers?: Record<string, string>): Answer => ({
    result: { response: json(status, { error }, headers) },
    line,
  });
  if (req.method !== 'POST') return refuse(405, 'method not allowed', { outcome: 'method_not_allowed' }, { allow: 'POST' });

  const declared = Number(req.headers.get('content-length') ?? 0);
  if (declared > deps.maxBodyBytes) return refuse(413, 'payload too large', { outcome: 'too_large' });
  const raw = await req.text();
  if (Buffer.byteLength(raw, 'utf8') > deps.maxBodyBytes) return refuse(413, 'payload too large', { outcome: 'too_large' });

  try {
    verifyStripeSignature(raw, req.headers.get('stripe-signature'), deps.webhookSecrets, {
      nowSeconds: Math.floor(deps.now() / 1000),
    });
  } catch (error) {
    if (!(error instanceof SignatureError)) throw error;
    return refuse(400, `invalid signature: ${error.reason}`, { outcome: 'signature_rejected', reason: error.reason });
  }

  const parsed = parseJson(raw);
  if (parsed === undefined) return refuse(400, 'body is not JSON', { outcome: 'invalid', error: 'body is not JSON' });
  const ingested = await ingestEvent(parsed, deps);
  return toAnswer(ingested, deps);
}

function toAnswer(result: IngestResult, deps: WebhookDeps): Answer {
  const ids = { event_id: result.event_id, event_type: result.event_type };
  if (result.ok) {
    const body = { received: true, outcome: result.outcome, ...(result.purchase_status && { purchase_status: result.purchase_status }) };
    const background = result.deliver.length > 0 && deps.deliver ? deps.deliver(result.deliver) : undefined;
    const line = { ...ids, outcome: result.outcome, purchase_status: result.purchase_status };
    return { result: { response: json(200, body), ...(background && { background }) }, line };
  }
  const line = {
    ...ids,
    outcome: result.reason === 'invalid' ? 'invalid' : 'error',
    reason: result.reason,
    ...(result.reason === 'database' && { unavailable: result.unavailable }),
    error: result.detail,
  };
  switch (result.reason) {
    case 'invalid':
      return { result: { response: json(400, { error: `event cannot be processed: ${result.detail}` }) }, line };
    case 'stripe_unavailable':
      return { result: { response: json(503, { error: 'stripe api unavailable, retry later' }) }, line };
    case 'database':
      return { result: { response: json(result.unavailable ? 503 : 500, { error: 'database error, retry later' }) }, line };
    case 'internal':
      return { result: { response: json(500, { error: 'internal error' }) }, line };
  }
}

function parseJson(raw: string): unknown {
  try {
    return JSON.parse(raw) as unknown;
  } catch {
    return undefined;
  }
}
