/**
 * One function instance for the storm: serves the BUILT functions (dist/functions/*.mjs) the way
 * Netlify's runtime calls them — a web Request in, `handler(req, context)`, the Response out, and
 * `context.waitUntil` work finished after the response. Each process has its own module state, so its
 * own app and connection pool, as separate instances do.
 *
 *   node --import tsx test/storm/function-server.ts <functions dir>
 *
 * Prints `{"port":…}` on its first stdout line. SIGTERM: stops taking requests, finishes the
 * after-response work (bounded), exits.
 */
import { readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { sendWebResponse, toWebRequest } from '../../scripts/web-request.ts';

type Handler = (req: Request, context: unknown) => Promise<Response>;

const dir = path.resolve(process.argv[2] ?? 'dist/functions');
const handlers = new Map<string, Handler>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.mjs'))) {
  const mod = (await import(pathToFileURL(path.join(dir, file)).href)) as { default: Handler };
  handlers.set(file.slice(0, -'.mjs'.length), mod.default);
}

const pending = new Set<Promise<unknown>>();
let requests = 0;

async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
  const name = /^\/\.netlify\/functions\/([\w-]+)/.exec(req.url ?? '')?.[1];
  const handler = name ? handlers.get(name) : undefined;
  if (!handler) return void res.writeHead(404).end();
  const context = {
    requestId: `storm-${process.pid}-${++requests}`,
    ip: req.socket.remoteAddress ?? '127.0.0.1',
    waitUntil: (work: Promise<unknown>) => {
      const tracked = Promise.resolve(work).catch((error) => console.error('waitUntil failed', String(error)));
      pending.add(tracked);
      void tracked.finally(() => pending.delete(tracked));
    },
  };
  try {
    await sendWebResponse(res, await handler(await toWebRequest(req, 'http://127.0.0.1'), context));
  } catch (error) {
    // An uncaught exception in a function is Netlify's 500, too.
    console.error('function crashed', String(error));
    if (!res.headersSent) res.writeHead(500);
    res.end();
  }
}

const server = createServer((req, res) => void serve(req, res));
server.keepAliveTimeout = 30_000;
server.listen(0, '127.0.0.1', () => {
  console.log(JSON.stringify({ port: (server.address() as { port: number }).port }));
});

process.once('SIGTERM', async () => {
  server.close();
  server.closeIdleConnections();
  const giveUp = Date.now() + 15_000;
  while (pending.size > 0 && Date.now() < giveUp) {
    await Promise.race([Promise.allSettled([...pending]), new Promise((r) => setTimeout(r, 500))]);
  }
  process.exit(0);
});
