/**
 * `POST /v1/checkout/sessions` for the local Stripe stand-in: reads the form-encoded parameters,
 * refuses what Stripe refuses (with its error envelope), and builds the session Stripe would return,
 * from a real session fixture so every field the webhook reads later is present.
 */
import { randomBytes } from 'node:crypto';
import type Stripe from 'stripe';
import type { FormTree } from './form-decode.ts';
import { loadEvent, type Wire } from './stripe-sign.ts';

export type WireSession = Wire<Stripe.Checkout.Session>;
export type WirePrice = Wire<Stripe.Price>;

export interface StripeErrorBody {
  type: 'invalid_request_error';
  message: string;
  code?: string;
  param?: string;
}

export type Creation =
  | { ok: true; session: WireSession; lineItems: { price: WirePrice; quantity: number }[] }
  | { ok: false; status: number; error: StripeErrorBody };

/** A real session's shape, read once: every field Stripe returns, overwritten below. */
let TEMPLATE: WireSession | undefined;

const invalid = (message: string, param?: string, code = 'parameter_invalid'): Creation => ({
  ok: false,
  status: 400,
  error: { type: 'invalid_request_error', message, code, ...(param && { param }) },
});

export function createCheckoutSession(form: Record<string, FormTree>, prices: ReadonlyMap<string, WirePrice>, nowSeconds: number): Creation {
  const text = (v: FormTree | undefined) => (typeof v === 'string' ? v : undefined);
  const mode = text(form.mode);
  if (mode !== 'payment' && mode !== 'subscription' && mode !== 'setup') {
    return invalid(mode === undefined ? 'Missing required param: mode.' : `Invalid mode: must be one of payment, setup, or subscription`, 'mode', 'parameter_missing');
  }
  const successUrl = text(form.success_url);
  if (successUrl === undefined) return invalid('Missing required param: success_url.', 'success_url', 'parameter_missing');
  if (!isUrl(successUrl)) return invalid('Not a valid URL', 'success_url', 'url_invalid');
  const cancelUrl = text(form.cancel_url);
  if (cancelUrl !== undefined && !isUrl(cancelUrl)) return invalid('Not a valid URL', 'cancel_url', 'url_invalid');
  if (form.customer !== undefined && form.customer_email !== undefined) {
    return invalid('You may only specify one of these parameters: customer, customer_email.', 'customer_email');
  }
  const reference = text(form.client_reference_id);
  if (reference !== undefined && (reference.length > 200 || reference === '')) {
    return invalid('Invalid client_reference_id: must be at most 200 characters', 'client_reference_id');
  }
  if (mode !== 'payment' && form.customer_creation !== undefined) {
    return invalid('`customer_creation` can only be used in `payment` mode.', 'customer_creation');
  }
  if (mode !== 'payment' && form.payment_intent_data !== undefined) {
    return invalid(`You can not pass \`payment_intent_data\` in \`${mode}\` mode.`, 'payment_intent_data');
  }
  if (mode !== 'subscription' && form.subscription_data !== undefined) {
    return invalid(`You can not pass \`subscription_data\` in \`${mode}\` mode.`, 'subscription_data');
  }
  for (const [param, value] of [
    ['metadata', form.metadata],
    ['payment_intent_data[metadata]', (form.payment_intent_data as Record<string, FormTree> | undefined)?.metadata],
    ['subscription_data[metadata]', (form.subscription_data as Record<string, FormTree> | undefined)?.metadata],
  ] as const) {
    const problem = metadataProblem(value);
    if (problem) return invalid(problem, param);
  }

  const rawItems = Array.isArray(form.line_items) ? form.line_items : [];
  if (rawItems.length === 0) return invalid('Missing required param: line_items.', 'line_items', 'parameter_missing');
  const lineItems: { price: WirePrice; quantity: number }[] = [];
  for (const [i, raw] of rawItems.entries()) {
    const entry = raw as Record<string, FormTree>;
    const price = prices.get(text(entry.price) ?? '');
    if (!price) return invalid(`No such price: '${text(entry.price)}'`, `line_items[${i}][price]`, 'resource_missing');
    const quantity = Number(text(entry.quantity));
    if (!Number.isInteger(quantity) || quantity < 1) return invalid('Invalid positive integer', `line_items[${i}][quantity]`, 'parameter_invalid_integer');
    lineItems.push({ price, quantity });
  }
  const recurring = lineItems.some((l) => l.price.type === 'recurring');
  if (mode === 'payment' && recurring) {
    return invalid('You specified `payment` mode but passed a recurring price. Either switch to `subscription` mode or use only one-time prices.', 'line_items');
  }
  if (mode === 'subscription' && !recurring) {
    return invalid('You must provide at least one recurring price in `subscription` mode when using prices.', 'line_items');
  }
  if (new Set(lineItems.map((l) => l.price.currency)).size > 1) return invalid('All prices must be in the same currency.', 'line_items');

  const id = `cs_test_${randomBytes(30).toString('base64url').replace(/[-_]/gu, 'a').slice(0, 58)}`;
  const total = lineItems.reduce((sum, l) => sum + (l.price.unit_amount ?? 0) * l.quantity, 0);
  const template = structuredClone((TEMPLATE ??= loadEvent('checkout.session.completed.payment.usd.paid').data.object as unknown as WireSession));
  const session: WireSession = {
    ...template,
    id,
    amount_subtotal: total,
    amount_total: total,
    cancel_url: cancelUrl ?? null,
    client_reference_id: reference ?? null,
    created: nowSeconds,
    currency: lineItems[0]!.price.currency,
    customer: text(form.customer) ?? null,
    customer_creation: mode === 'payment' ? ((text(form.customer_creation) as 'always' | 'if_required' | undefined) ?? 'if_required') : null,
    customer_details: null,
    customer_email: text(form.customer_email) ?? null,
    expires_at: nowSeconds + 24 * 3600,
    invoice: null,
    livemode: false,
    metadata: (form.metadata as Record<string, string> | undefined) ?? {},
    mode,
    payment_intent: null,
    payment_status: 'unpaid',
    status: 'open',
    subscription: null,
    success_url: successUrl,
    total_details: { amount_discount: 0, amount_shipping: 0, amount_tax: 0 },
    url: `https://checkout.stripe.com/c/pay/${id}`,
  };
  return { ok: true, session, lineItems };
}

function metadataProblem(value: FormTree | undefined): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) return 'Invalid object';
  const entries = Object.entries(value);
  if (entries.length > 50) return `Invalid metadata: metadata may have up to 50 keys (${entries.length} given).`;
  for (const [key, v] of entries) {
    if (key.length > 40) return `Metadata keys can have up to 40 characters, but you passed in a key that is ${key.length} characters.`;
    if (typeof v !== 'string') return 'Invalid metadata: values must be strings.';
    if (v.length > 500) return `Metadata values can have up to 500 characters, but you passed in a value that is ${v.length} characters.`;
  }
  return undefined;
}

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:';
  } catch {
    return false;
  }
}
