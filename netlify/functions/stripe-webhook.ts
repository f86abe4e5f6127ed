import type { Context } from '@netlify/functions';
import { appOrMisconfigured } from '../../src/app.ts';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { handleStripeWebhook } from '../../src/webhook/handle.ts';

/**
 * POST /.netlify/functions/stripe-webhook — verifies the Stripe signature, provisions the purchase and
 * queues its conversions in one transaction, answers, then delivers the conversions after the response.
 */
export default async (req: Request, context: Context): Promise<Response> => {
  const app = await appOrMisconfigured('stripe-webhook');
  if (app instanceof Response) return app;
  const { response, background } = await handleStripeWebhook(req, webhookDeps(app));
  if (background) context.waitUntil(background);
  return response;
};
