import { enqueue, enqueueRows } from '../conversions/enqueue.ts';
import type { Database } from '../db/port.ts';
import type { EventNameSettings } from '../destinations/types.ts';
import { bearerToken } from '../http/bearer.ts';
import { checkCors, withCors, type CorsPolicy } from '../http/cors.ts';
import { readJson } from '../http/read-json.ts';
import { errorText, type Logger } from '../log.ts';
import { captureCheckout } from './capture.ts';
import { initiateCheckout } from './initiate-checkout.ts';
import type { TokenVerifier, VerifiedUser } from './jwt.ts';
import type { PriceLookup } from './prices.ts';
import { parseCheckoutRequest } from './request.ts';
import { checkAllowed, planSession } from './session-params.ts';
import type { CheckoutStripe, StripeFailure } from './stripe-client.ts';

export interface CheckoutDeps {
  cors: CorsPolicy;
  /** Empty: checkout creation is not configured. */
  allowedPrices: readonly string[];
  successUrl?: string;
  cancelUrl?: string;
  requireAuth: boolean;
  requireAdConsent: boolean;
  verifyToken: TokenVerifier;
  /** Null without STRIPE_SECRET_KEY. */
  stripe: { api: CheckoutStripe; prices: PriceLookup; livemode: boolean } | null;
  db: () => Promise<Database>;
  names: EventNameSettings;
  now: () => number;
  log: Logger;
  deliver: (ids: number[]) => Promise<unknown>;
  idempotencyKey: () => string;
}

export interface CheckoutResult {
  response: Response;
  /** Delivery of the queued InitiateCheckout, after the response. */
  background?: Promise<unknown>;
}

/**
 * POST create-checkout-session: gather (token, prices, the user's customer) → decide (pure) →
 * create the session at Stripe → record its InitiateCheckout (one SQL call) → answer {id, url}.
 */
export async function handleCreateCheckoutSession(req: Request, contextIp: string | undefined, deps: CheckoutDeps): Promise<CheckoutResult> {
  const cors = checkCors(req, deps.cors);
  if (cors.kind === 'answer') return { response: cors.response };
  const answer = (status: number, body: object, headers: Record<string, string> = {}) => ({
    response: withCors(Response.json(body, { status, headers }), cors.headers),
  });

  const read = await readJson(req);
  if (!read.ok) return answer(read.status, { error: read.error }, read.headers);
  const { stripe, successUrl, cancelUrl } = deps;
  if (deps.allowedPrices.length === 0 || !stripe || !successUrl || !cancelUrl) {
    deps.log.error(`create-checkout-session is not configured: set ${missingSettings(deps).join(', ')}`);
    return answer(500, { error: 'checkout is not configured' });
  }
  const parsed = parseCheckoutRequest(read.value);
  if (!parsed.ok) return answer(400, { error: parsed.error });
  const request = parsed.request;
  const allowed = checkAllowed(request, deps.allowedPrices);
  if (!allowed.ok) return answer(400, { error: allowed.error });

  let user: VerifiedUser | undefined;
  const bearer = bearerToken(req);
  if (bearer.kind === 'malformed') return answer(401, { error: 'Authorization must be Bearer <access token>' });
  if (bearer.kind === 'none' && deps.requireAuth) return answer(401, { error: 'sign in to check out' });
  if (bearer.kind === 'token') {
    const check = await deps.verifyToken(bearer.token);
    if (!check.ok) {
      deps.log.warn('checkout token refused', { reason: check.reason });
      return answer(check.status, { error: check.status === 401 ? 'invalid or expired access token' : 'cannot verify the access token now' });
    }
    user = check.user;
  }

  const nowMs = deps.now();
  const { consent, context, metadata } = captureCheckout(req, request, { requireAdConsent: deps.requireAdConsent, contextIp, nowMs });
  const [prices, customer] = await Promise.all([stripe.prices(allowed.value), customerOf(user, stripe.livemode, deps)]);
  if (!prices.ok) return stripeFailed('reading prices', prices.failure, deps, answer);
  if (customer === null) return answer(503, { error: 'try again' });

  const plan = planSession({
    request,
    prices: prices.prices,
    user,
    customerId: customer,
    metadata,
    successUrl,
    cancelUrl,
  });
  if (!plan.ok) return answer(400, { error: plan.error });

  const created = await stripe.api.createSession(plan.value.params, deps.idempotencyKey());
  if (!created.ok) return stripeFailed('creating the checkout session', created.failure, deps, answer);
  const session = created.value;

  const conversion = initiateCheckout({
    sessionId: session.id,
    livemode: session.livemode,
    request,
    prices: prices.prices,
    currency: plan.value.currency,
    user,
    context,
    consent,
    eventTime: Math.floor(nowMs / 1000),
  });
  let background: Promise<unknown> | undefined;
  try {
    const { ids } = await enqueue(await deps.db(), enqueueRows([conversion], 'checkout', deps.names));
    if (ids.length > 0) background = deps.deliver(ids);
  } catch (error) {
    // The buyer's checkout matters more than its InitiateCheckout: answer with the session anyway.
    deps.log.error('InitiateCheckout not queued', { session: session.id, error: errorText(error) });
  }
  deps.log.info('checkout session created', {
    session: session.id,
    mode: plan.value.mode,
    items: request.items.length,
    signed_in: Boolean(user),
    consent: consent.adConsent ?? 'unspecified',
  });
  return { ...answer(200, { id: session.id, url: session.url }), background };
}

/** The user's known Stripe Customer (undefined: none or a guest), or null when the database failed. */
async function customerOf(user: VerifiedUser | undefined, livemode: boolean, deps: CheckoutDeps): Promise<string | undefined | null> {
  if (!user) return undefined;
  try {
    const db = await deps.db();
    const { stripe_customer_id } = await db.call<{ stripe_customer_id: string | null }>('checkout_customer', { user_id: user.id, livemode });
    return stripe_customer_id ?? undefined;
  } catch (error) {
    deps.log.error('reading the buyer’s customer failed', { error: errorText(error) });
    return null;
  }
}

function stripeFailed(
  what: string,
  failure: StripeFailure,
  deps: CheckoutDeps,
  answer: (status: number, body: object) => CheckoutResult,
): CheckoutResult {
  deps.log.error(`Stripe API failed ${what}`, { status: failure.status, type: failure.type, code: failure.code, param: failure.param });
  return answer(502, { error: 'Stripe is not available; try again' });
}

/** The settings an operator still has to set, by name: only the missing ones. */
function missingSettings(deps: CheckoutDeps): string[] {
  return [
    ...(deps.allowedPrices.length === 0 ? ['CHECKOUT_PRICES'] : []),
    ...(deps.stripe ? [] : ['STRIPE_SECRET_KEY']),
    ...(!deps.successUrl && !deps.cancelUrl
      ? ['URL (or CHECKOUT_SUCCESS_URL and CHECKOUT_CANCEL_URL)']
      : [...(deps.successUrl ? [] : ['CHECKOUT_SUCCESS_URL (or URL)']), ...(deps.cancelUrl ? [] : ['CHECKOUT_CANCEL_URL (or URL)'])]),
  ];
}
