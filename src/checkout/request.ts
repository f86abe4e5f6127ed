import * as z from 'zod/mini';

/**
 * The body of a create-checkout-session request. Strict: an unknown field is a mistake on the page
 * (or an attempt to choose what only the server may, such as the customer), so it is refused.
 */
const QUANTITY = 'must be a whole number from 1 to 99';
const quantity = z._default(z.int({ error: QUANTITY }).check(z.minimum(1, QUANTITY), z.maximum(99, QUANTITY)), 1);
const priceId = z.string({ error: 'must be a price_… id' }).check(z.regex(/^price_[A-Za-z0-9]+$/u, 'must be a price_… id'));
const item = z.strictObject({ price: priceId, quantity });
const clickId = z.string({ error: 'must be a string' }).check(z.maxLength(500, 'must be at most 500 characters'));

const common = {
  consent: z.optional(z.enum(['granted', 'denied'], { error: 'must be "granted" or "denied"' })),
  event_source_url: z.optional(
    z.url({ protocol: /^https?$/u, error: 'must be an http(s) URL' }).check(z.maxLength(2048, 'must be at most 2048 characters')),
  ),
  fbclid: z.optional(clickId),
  ttclid: z.optional(clickId),
};

/** Stripe takes at most 20 line items in subscription mode; one limit for both modes keeps it simple. */
export const MAX_ITEMS = 20;

const single = z.strictObject({ price: priceId, quantity, ...common }, { error: 'body must be a JSON object' });
const many = z.strictObject({
  items: z.array(item, { error: 'must be a list of {price, quantity}' }).check(
    z.minLength(1, `must list 1 to ${MAX_ITEMS} items`),
    z.maxLength(MAX_ITEMS, `must list 1 to ${MAX_ITEMS} items`),
    z.refine((items) => new Set(items.map((i) => i.price)).size === items.length, { message: 'a price is listed twice' }),
  ),
  ...common,
});

export interface CheckoutRequest {
  items: { price: string; quantity: number }[];
  consent?: 'granted' | 'denied';
  event_source_url?: string;
  fbclid?: string;
  ttclid?: string;
}

export type ParsedRequest = { ok: true; request: CheckoutRequest } | { ok: false; error: string };

export function parseCheckoutRequest(body: unknown): ParsedRequest {
  const isMany = typeof body === 'object' && body !== null && 'items' in body;
  const parsed = (isMany ? many : single).safeParse(body);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? `${issue.path.join('.')}: ` : '';
    const what = issue?.code === 'unrecognized_keys' ? `unknown field ${issue.keys.join(', ')}` : issue?.message;
    return { ok: false, error: `${where}${what ?? 'invalid request'}` };
  }
  if ('items' in parsed.data) {
    const { items, ...rest } = parsed.data;
    return { ok: true, request: { items, ...rest } };
  }
  const { price, quantity: q, ...rest } = parsed.data;
  return { ok: true, request: { items: [{ price, quantity: q }], ...rest } };
}
