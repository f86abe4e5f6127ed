import type { Context } from '@netlify/functions';
import { appOrMisconfigured } from '../../src/app.ts';
import { checkoutDeps } from '../../src/checkout/deps.ts';
import { handleCreateCheckoutSession } from '../../src/checkout/handle.ts';

/**
 * POST /.netlify/functions/create-checkout-session — creates the Stripe Checkout Session with the
 * browser's match keys and the verified user, queues its InitiateCheckout, answers {id, url}.
 */
export default async (req: Request, context: Context): Promise<Response> => {
  const app = await appOrMisconfigured('create-checkout-session');
  if (app instanceof Response) return app;
  const { response, background } = await handleCreateCheckoutSession(req, context.ip, checkoutDeps(app));
  if (background) context.waitUntil(background);
  return response;
};
