/**
 * Paid Checkout Sessions that were never seen before: the paid one-time fixture with fresh event,
 * session, customer and payment ids, dated now (the platforms refuse events older than 7 days).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type Stripe from 'stripe';
import { loadEvent, withChanges } from './stripe-sign.ts';

const template = loadEvent('checkout.session.completed.payment.usd.paid');

export function freshPaidCheckout(nowSeconds = Math.floor(Date.now() / 1000)): { event: Stripe.CheckoutSessionCompletedEvent; sessionId: string } {
  const sessionId = `cs_test_${token(40)}`;
  const event = withChanges(
    template,
    {
      created: nowSeconds,
      data: {
        object: {
          id: sessionId,
          created: nowSeconds - 60,
          expires_at: nowSeconds + 86_340,
          customer: `cus_${token(14)}`,
          payment_intent: `pi_${token(24)}`,
          client_reference_id: randomUUID(),
        },
      },
    },
    { newId: true },
  );
  return { event, sessionId };
}

function token(length: number): string {
  return randomBytes(length).toString('base64url').replace(/[-_]/g, 'x').slice(0, length);
}
