import type Stripe from 'stripe';
import type { EventNameSettings } from '../destinations/types.ts';
import { CHECKOUT_EVENTS, checkoutCommand, needsLineItems, type CheckoutEventType } from '../provisioning/checkout.ts';
import type { ProvisionCommand } from '../provisioning/command.ts';
import type { StripeApi } from '../stripe/api.ts';

/** The allow-list: every other event type is recorded as ignored and answered 200. */
export const HANDLED_EVENTS: ReadonlySet<string> = new Set<string>([...CHECKOUT_EVENTS]);

export interface CommandContext {
  stripeApi: StripeApi | null;
  names: EventNameSettings;
}

/**
 * Reads what the event needs from the Stripe API (before any transaction is open) and maps it to a
 * command. A Stripe API failure propagates: the webhook answers 503 and Stripe retries.
 */
export async function commandForEvent(event: Stripe.Event, ctx: CommandContext): Promise<ProvisionCommand> {
  if (!HANDLED_EVENTS.has(event.type)) {
    return { action: 'ignore', detail: `event type ${event.type} is not handled` };
  }
  const type = event.type as CheckoutEventType;
  const session = event.data.object as Stripe.Checkout.Session;
  // Without a secret key the purchase is still provisioned, as a whole, with no per-product detail.
  const lineItems = needsLineItems(type, session) && ctx.stripeApi ? await ctx.stripeApi.listLineItems(session.id) : null;
  return checkoutCommand({ id: event.id, type, created: event.created }, session, lineItems, ctx.names);
}
