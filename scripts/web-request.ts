import type { IncomingMessage, ServerResponse } from 'node:http';

/**
 * Node's HTTP server ↔ the web Request/Response the Netlify functions take and give: what Netlify's
 * runtime does in front of every function. Used by `npm start` and the test servers, so each serves
 * the functions exactly alike.
 */
export async function toWebRequest(req: IncomingMessage, origin = `http://${req.headers.host ?? 'localhost'}`): Promise<Request> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(', ') : value);
  }
  const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
  return new Request(`${origin}${req.url ?? '/'}`, {
    method: req.method ?? 'GET',
    headers,
    ...(hasBody && { body: Buffer.concat(chunks) }),
  });
}

export async function sendWebResponse(res: ServerResponse, response: Response): Promise<void> {
  res.writeHead(response.status, Object.fromEntries(response.headers));
  res.end(Buffer.from(await response.arrayBuffer()));
}
