import type { Context } from '@netlify/functions';
import { getApp } from '../../src/app.ts';
import { webhookDeps } from '../../src/webhook/deps.ts';
import { handleStripeWebhook } from '../../src/webhook/handle.ts';

/**
 * POST /.netlify/functions/stripe-webhook — verifies the Stripe signature, provisions the purchase and
 * queues its conversions in one transaction, answers, then delivers the conversions after the response.
 */
export default async (req: Request, context: Context): Promise<Response> => {
  let app;
  try {
    app = await getApp();
  } catch (error) {
    // Misconfiguration: 500 so Stripe keeps the event and retries once the settings are fixed.
    console.error(JSON.stringify({ level: 'error', msg: 'stripe-webhook cannot start', error: String(error) }));
    return Response.json({ error: 'server misconfigured' }, { status: 500 });
  }
  const { response, background } = await handleStripeWebhook(req, webhookDeps(app));
  if (background) context.waitUntil(background);
  return response;
};
