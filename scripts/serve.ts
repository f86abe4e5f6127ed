/**
 * `npm start`: the Netlify functions on a local HTTP server, as Netlify serves them
 * (`/.netlify/functions/<name>`), with `.env` loaded, the embedded database unless another store is
 * configured, destinations in dry-run until their tokens are set, and the drain every minute.
 *
 * The handlers run in this process, so the embedded database is opened once and shared; Netlify's
 * own emulators start a fresh worker per request, which cannot share an embedded database.
 */
import { readdirSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Context } from '@netlify/functions';
import { createApp, deliverSafely, setApp } from '../src/app.ts';
import type { Database } from '../src/db/port.ts';
import { localConfig, run } from './local.ts';
import { sendWebResponse, toWebRequest } from './web-request.ts';

type Handler = (req: Request, context: Context) => Promise<Response>;
/** Every entry file in netlify/functions is a function, as on Netlify. */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const FUNCTIONS = readdirSync(path.join(ROOT, 'netlify/functions')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3));
const PUBLIC_DIR = path.join(ROOT, 'public');
const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

const config = localConfig();
const app = createApp({ config, dryRun: true });
setApp(app);

const handlers = new Map<string, Handler>();
for (const name of FUNCTIONS) {
  const mod = (await import(`../netlify/functions/${name}.ts`)) as { default: Handler };
  handlers.set(name, mod.default);
}

// Open (and, for the embedded database, migrate) before listening: the first event is then fast.
let db!: Database;
await run(async () => {
  db = await app.db();
  // A configured database that was never migrated fails on the first event; say so now.
  await db.call('outbox_claim', { limit: 1, ids: [] }).catch((error: Error) => {
    console.warn(`warning: the database does not answer as migrated (${error.message}); run npm run db:migrate`);
  });
});

const pending = new Set<Promise<unknown>>();
let requestCount = 0;

/** Netlify's context: the client's address is the socket's here (x-nf-client-connection-ip there). */
function context(req: IncomingMessage): Context {
  const requestId = `local-${++requestCount}`;
  return {
    requestId,
    ip: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
    waitUntil: (promise: Promise<unknown>) => {
      pending.add(promise);
      void promise.finally(() => pending.delete(promise));
    },
  } as unknown as Context;
}

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const match = /^\/\.netlify\/functions\/([\w-]+)\/?(?:\?.*)?$/.exec(req.url ?? '');
  if (!match) return serveStatic(req, res);
  const handler = match[1] ? handlers.get(match[1]) : undefined;
  if (!handler) {
    res.writeHead(404, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'no such function' }));
    return;
  }
  await sendWebResponse(res, await handler(await toWebRequest(req), context(req)));
}

/** The site's own files (Netlify's publish directory), e.g. /tracking.js and /status.html. */
async function serveStatic(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const pathname = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
  const file = path.join(PUBLIC_DIR, pathname.endsWith('/') ? `${pathname}index.html` : pathname);
  const body = file.startsWith(PUBLIC_DIR + path.sep) && (req.method === 'GET' || req.method === 'HEAD')
    ? await readFile(file).catch(() => null)
    : null;
  if (!body) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return;
  }
  res.writeHead(200, { 'content-type': CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream' });
  res.end(req.method === 'HEAD' ? undefined : body);
}

const server = createServer((req, res) => {
  serve(req, res).catch((error) => {
    app.log.error('local server error', { error: String(error) });
    if (!res.headersSent) res.writeHead(500);
    res.end();
  });
});

// The scheduled function's schedule, locally.
const drainTimer = setInterval(() => void deliverSafely(app, { deadline: Date.now() + 20_000 }), 60_000);

// A port already taken (another npm start, netlify dev): say so and let go of the database.
server.once('error', (error: NodeJS.ErrnoException) => {
  if (error.code !== 'EADDRINUSE') throw error;
  console.error(`port ${config.port} is already in use (another npm start or netlify dev?): stop it, or set PORT`);
  clearInterval(drainTimer);
  void db.close().finally(() => process.exit(2));
});

server.listen(config.port, '127.0.0.1', () => {
  const base = `http://localhost:${config.port}/.netlify/functions`;
  const store = config.storage.kind === 'pglite' ? `embedded database in ${config.storage.dataDir}/` : config.storage.kind;
  const off = (['tiktok', 'meta'] as const).filter((d) => !config[d]);
  console.log(
    [
      `stripe-webhook           POST ${base}/stripe-webhook`,
      `conversions-drain        POST ${base}/conversions-drain   (runs every minute here too)`,
      `create-checkout-session  POST ${base}/create-checkout-session   (needs CHECKOUT_PRICES, STRIPE_SECRET_KEY, URL)`,
      `track                    POST ${base}/track   (pages: import from http://localhost:${config.port}/tracking.js)`,
      `tracking-status          GET  ${base}/tracking-status   (needs STATUS_TOKEN; page: http://localhost:${config.port}/status.html)`,
      `storage                  ${store}`,
      `destinations             ${off.length ? `dry-run for ${off.join(', ')} (set their tokens to send)` : 'tiktok, meta live'}`,
      '',
      'Send a signed test event:',
      '  npm run replay -- test/fixtures/stripe/checkout.session.completed.payment.usd.paid.json',
      'or forward real test-mode events:',
      `  stripe listen --forward-to localhost:${config.port}/.netlify/functions/stripe-webhook`,
    ].join('\n'),
  );
});

async function shutdown(): Promise<void> {
  clearInterval(drainTimer);
  server.close();
  await Promise.allSettled([...pending]);
  await db.close();
  process.exit(0);
}
process.once('SIGINT', () => void shutdown());
process.once('SIGTERM', () => void shutdown());
