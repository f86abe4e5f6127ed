import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Context } from '@netlify/functions';
import { sendWebResponse, toWebRequest } from '../../scripts/web-request.ts';

type Handler = (req: Request, context: Context) => Promise<Response>;

export interface SiteServer {
  /** `http://127.0.0.1:<port>`. */
  baseUrl: string;
  /** Paths of every request received, in order (`/.netlify/functions/track`, `/thanks.html?…`). */
  requests: string[];
  /** Waits for every after-response task the functions started. */
  settle(): Promise<void>;
  close(): Promise<void>;
}

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8' };

/**
 * A site as Netlify serves it, for browser tests: files from `public/` (plus test pages), and the
 * real function handlers at `/.netlify/functions/<name>`, given the socket's address as `context.ip`
 * like `npm start`.
 */
export async function startSite(options: { publicDir: string; pages?: Record<string, string>; functions: Record<string, Handler> }): Promise<SiteServer> {
  const background: Promise<unknown>[] = [];
  const requests: string[] = [];
  const server = createServer((req, res) => {
    void (async () => {
      const url = new URL(req.url ?? '/', 'http://127.0.0.1');
      requests.push(url.pathname + url.search);
      const fn = /^\/\.netlify\/functions\/([\w-]+)$/.exec(url.pathname)?.[1];
      let response: Response;
      if (fn && options.functions[fn]) {
        const context = {
          requestId: `site-${requests.length}`,
          ip: req.socket.remoteAddress?.replace(/^::ffff:/, ''),
          waitUntil: (p: Promise<unknown>) => void background.push(p),
        } as unknown as Context;
        response = await options.functions[fn](await toWebRequest(req), context);
      } else {
        response = await staticFile(options, url.pathname);
      }
      await sendWebResponse(res, response);
    })().catch((error: unknown) => {
      res.writeHead(500).end(String(error));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    async settle() {
      while (background.length > 0) await Promise.allSettled(background.splice(0));
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

async function staticFile(options: { publicDir: string; pages?: Record<string, string> }, pathname: string): Promise<Response> {
  const page = options.pages?.[pathname];
  if (page !== undefined) return new Response(page, { headers: { 'content-type': TYPES['.html']! } });
  const file = path.join(options.publicDir, path.normalize(pathname).replace(/^(\.\.[/\\])+/, ''));
  if (!file.startsWith(options.publicDir)) return new Response('not found', { status: 404 });
  try {
    const body = await readFile(file);
    return new Response(body, { headers: { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' } });
  } catch {
    return new Response('not found', { status: 404 });
  }
}
