import type { Context } from '@netlify/functions';
import { getApp } from '../../src/app.ts';
import { checkoutDeps } from '../../src/checkout/deps.ts';
import { handleCreateCheckoutSession } from '../../src/checkout/handle.ts';

/**
 * POST /.netlify/functions/create-checkout-session — creates the Stripe Checkout Session with the
 * browser's match keys and the verified user, queues its InitiateCheckout, answers {id, url}.
 */
export default async (req: Request, context: Context): Promise<Response> => {
  let app;
  try {
    app = await getApp();
  } catch (error) {
    console.error(JSON.stringify({ level: 'error', msg: 'create-checkout-session cannot start', error: String(error) }));
    return Response.json({ error: 'server misconfigured' }, { status: 500 });
  }
  const { response, background } = await handleCreateCheckoutSession(req, context.ip, checkoutDeps(app));
  if (background) context.waitUntil(background);
  return response;
};
