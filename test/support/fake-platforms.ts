/**
 * Fake TikTok and Meta endpoints for tests: small HTTP servers on 127.0.0.1 that accept the documented
 * paths, check the token, record every request and answer from a queue.
 *
 *   const meta = await startFakeMeta({ accessToken: 'meta-token' });
 *   // point META_API_BASE_URL (or settings.apiBaseUrl) at meta.baseUrl
 *   meta.respondWith({ status: 500, body: '<html>Bad gateway</html>' }); // next answer, then success
 *   … meta.requests[0].body …
 *   await meta.close();
 *
 * Paths: TikTok `POST /open_api/v1.3/event/track/`; Meta `POST /{vX.Y}/{pixel}/events`. Anything else
 * gets 404. A missing or wrong token gets the platform's auth error and leaves the queue untouched.
 * With an empty queue the platform's success answer is sent.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeResponse {
  status: number;
  /** A string is sent verbatim (e.g. an HTML error page); anything else as JSON. */
  body: unknown;
  /** Wait this long before answering (to test client timeouts). */
  delayMs?: number;
  headers?: Record<string, string>;
}

export interface RecordedRequest {
  method: string;
  /** Path with query string, e.g. `/v26.0/123/events`. */
  path: string;
  /** Node's lower-cased header names, e.g. `headers['access-token']`. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body, or the raw text when it is not JSON. */
  body: unknown;
}

export interface FakePlatform {
  /** `http://127.0.0.1:<port>`, for the `*_API_BASE_URL` settings. */
  baseUrl: string;
  /** Every request received, in order (including rejected ones). */
  requests: RecordedRequest[];
  /** Queues answers for the next requests that pass the path and token checks. */
  respondWith(...responses: FakeResponse[]): void;
  /** Answers by content instead (e.g. reject one event id); `undefined` falls back to the queue. */
  respondBy(responder: ((request: RecordedRequest) => FakeResponse | undefined) | undefined): void;
  close(): Promise<void>;
}

export interface FakeOptions {
  /** The token the fake accepts; defaults to `tiktok-test-token` / `meta-test-token`. */
  accessToken?: string;
}

type Handler = (request: RecordedRequest) => FakeResponse | 'queue';

export function startFakeTikTok(opts: FakeOptions = {}): Promise<FakePlatform> {
  const token = opts.accessToken ?? 'tiktok-test-token';
  let ids = 0;
  const requestId = () => `20261101000000FAKE${String(++ids).padStart(6, '0')}`;
  const handler: Handler = (req) => {
    if (req.method !== 'POST' || req.path !== '/open_api/v1.3/event/track/') return notFound;
    const given = req.headers['access-token'];
    if (!given) return tiktokError(40104, 'Access token is null, you should set it in http header.', requestId());
    if (given !== token) return tiktokError(40105, 'Access token is incorrect or has been revoked.', requestId());
    return 'queue';
  };
  const success = (): FakeResponse => ({
    status: 200,
    body: { code: 0, message: 'OK', request_id: requestId(), data: {} },
  });
  return startFake(handler, success);
}

export function startFakeMeta(opts: FakeOptions = {}): Promise<FakePlatform> {
  const token = opts.accessToken ?? 'meta-test-token';
  let ids = 0;
  const traceId = () => `FakeTrace${++ids}`;
  const handler: Handler = (req) => {
    if (req.method !== 'POST' || !/^\/v\d+\.\d+\/[^/?]+\/events$/.test(req.path)) return notFound;
    if (req.headers.authorization !== `Bearer ${token}`) {
      return {
        status: 400,
        body: {
          error: {
            message: 'Invalid OAuth access token - Cannot parse access token',
            type: 'OAuthException',
            code: 190,
            fbtrace_id: traceId(),
          },
        },
      };
    }
    return 'queue';
  };
  const success = (req: RecordedRequest): FakeResponse => {
    const data = (req.body as { data?: unknown } | undefined)?.data;
    return {
      status: 200,
      body: { events_received: Array.isArray(data) ? data.length : 0, messages: [], fbtrace_id: traceId() },
    };
  };
  return startFake(handler, success);
}

const notFound: FakeResponse = { status: 404, body: 'Not Found' };

function tiktokError(code: number, message: string, requestId: string): FakeResponse {
  return { status: 200, body: { code, message, request_id: requestId, data: {} } };
}

async function startFake(handler: Handler, success: (req: RecordedRequest) => FakeResponse): Promise<FakePlatform> {
  const requests: RecordedRequest[] = [];
  const queue: FakeResponse[] = [];
  let responder: ((request: RecordedRequest) => FakeResponse | undefined) | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const server = createServer(async (req, res) => {
    const recorded: RecordedRequest = {
      method: req.method ?? '',
      path: req.url ?? '',
      headers: req.headers,
      body: parseBody(await readBody(req)),
    };
    requests.push(recorded);
    const verdict = handler(recorded);
    const response =
      verdict === 'queue' ? (responder?.(recorded) ?? queue.shift() ?? success(recorded)) : verdict;
    if (!response.delayMs) return send(res, response);
    const timer = setTimeout(() => {
      timers.delete(timer);
      send(res, response);
    }, response.delayMs);
    timers.add(timer);
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}`,
    requests,
    respondWith: (...responses) => void queue.push(...responses),
    respondBy: (fn) => {
      responder = fn;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function parseBody(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function send(res: ServerResponse, response: FakeResponse): void {
  if (res.destroyed) return;
  const isText = typeof response.body === 'string';
  const payload = isText ? (response.body as string) : JSON.stringify(response.body);
  res.writeHead(response.status, {
    'content-type': isText ? (payload.trimStart().startsWith('<') ? 'text/html' : 'text/plain') : 'application/json',
    ...response.headers,
  });
  res.end(payload);
}

/** `event:event_id` of every event TikTok received, sorted (for comparing what was sent). */
export function tiktokEventsSent(requests: RecordedRequest[]): string[] {
  return requests
    .flatMap((r) => ((r.body as { data?: { event: string; event_id: string }[] }).data ?? []).map((e) => `${e.event}:${e.event_id}`))
    .sort();
}

/** `event_name:event_id` of every event Meta received, sorted. */
export function metaEventsSent(requests: RecordedRequest[]): string[] {
  return requests
    .flatMap((r) => ((r.body as { data?: { event_name: string; event_id: string }[] }).data ?? []).map((e) => `${e.event_name}:${e.event_id}`))
    .sort();
}
