/**
 * `npm run replay -- <event.json> [--url <webhook url>] [--fresh-id]`
 *
 * Signs a Stripe event with the configured STRIPE_WEBHOOK_SECRET (the first one; the local default
 * when none is set) and POSTs it, like Stripe would. Default target: the local server. `--fresh-id`
 * gives the event a new id, to replay it as a new event rather than a duplicate.
 */
import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { signStripePayload } from '../src/stripe/signature.ts';
import { args, fail, localConfig } from './local.ts';

const USAGE = 'npm run replay -- <event.json> [--url <webhook url>] [--fresh-id]';
const { values, positionals } = args(
  { allowPositionals: true, options: { url: { type: 'string' }, 'fresh-id': { type: 'boolean', default: false } } },
  USAGE,
);
const file = positionals[0];
if (!file) fail(`usage: ${USAGE}`);

const config = localConfig();
const url = values.url ?? `http://localhost:${config.port}/.netlify/functions/stripe-webhook`;

let body = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => fail(`cannot read ${file} (${error.code ?? error.message})`));
if (values['fresh-id']) {
  const event = JSON.parse(body) as { id: string };
  event.id = `evt_replay_${randomBytes(8).toString('hex')}`;
  body = JSON.stringify(event, null, 2);
}

const secret = config.stripe.webhookSecrets[0] as string;
const response = await fetch(url, {
  method: 'POST',
  headers: {
    'content-type': 'application/json; charset=utf-8',
    'stripe-signature': signStripePayload(body, secret, Math.floor(Date.now() / 1000)),
  },
  body,
}).catch((error: Error & { cause?: { code?: string } }) =>
  fail(`could not reach ${url} (${error.cause?.code ?? error.message}): is \`npm start\` running, on this PORT?`),
);
console.log(`${response.status} ${response.statusText}`);
console.log(await response.text());
process.exit(response.ok ? 0 : 1);
