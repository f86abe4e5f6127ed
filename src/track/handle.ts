import { DatabaseError, type Database } from '../db/port.ts';
import { clientIp, normalizeIp } from '../http/client-ip.ts';
import { checkCors, withCors, type CorsPolicy } from '../http/cors.ts';
import { readJson } from '../http/read-json.ts';
import { errorText, type Logger } from '../log.ts';
import type { DestinationState } from '../ops/destination-state.ts';
import { rateKey, type RateLimiter } from './rate-limit.ts';
import { recordEvents, type RecordSettings } from './record.ts';
import { parseTrackBody } from './schema.ts';

export interface TrackDeps {
  db: () => Promise<Database>;
  /** Milliseconds since the epoch. */
  now: () => number;
  log: Logger;
  limiter: RateLimiter;
  cors: CorsPolicy;
  destinations: Record<'tiktok' | 'meta', DestinationState>;
  record: RecordSettings;
}

export interface TrackOutcome {
  response: Response;
  /** Rows queued by this request, for delivery after the response. */
  ids: number[];
}

const METHODS = ['GET', 'POST'];

/**
 * `track`: browser events → validated whole → hashed rows in one SQL call → `202 {accepted}`.
 * Refusals are values mapped to statuses here: 400 body, 403 origin, 405 method, 413 size, 429 rate.
 */
export async function handleTrack(req: Request, contextIp: string | undefined, deps: TrackDeps): Promise<TrackOutcome> {
  const cors = checkCors(req, deps.cors, METHODS);
  if (cors.kind === 'answer') return { response: cors.response, ids: [] };
  const answer = (status: number, body: unknown, headers: Record<string, string> = {}): TrackOutcome => ({
    response: withCors(Response.json(body, { status, headers }), cors.headers),
    ids: [],
  });

  if (!METHODS.includes(req.method)) return answer(405, { error: 'method not allowed' }, { Allow: 'GET, POST, OPTIONS' });
  // Counted per address the platform saw (Netlify's context.ip; the socket under npm start): the
  // headers are the client's to write wherever no edge overwrites them, and a new x-forwarded-for
  // on each request would otherwise be a new window each time.
  const ip = normalizeIp(contextIp) ?? clientIp(req) ?? 'unknown';
  const nowMs = deps.now();
  const rate = deps.limiter.take(rateKey(ip), nowMs);
  if (!rate.allowed) {
    return answer(429, { error: 'too many requests, retry later' }, { 'Retry-After': String(rate.retryAfterSeconds) });
  }
  if (req.method === 'GET') return answer(200, { ok: true, destinations: deps.destinations });

  const body = await readJson(req);
  if (!body.ok) return answer(body.status, { error: body.error }, body.headers);
  const parsed = parseTrackBody(body.value);
  if (!parsed.ok) return answer(400, { error: parsed.error });

  try {
    const db = await deps.db();
    const result = await recordEvents(db, deps.record, { req, events: parsed.events, origin: 'browser', nowMs, ...(contextIp !== undefined && { contextIp }) });
    const outcome = answer(202, { accepted: parsed.events.length });
    return { ...outcome, ids: result.ids };
  } catch (error) {
    deps.log.error('track could not record events', { error: errorText(error), events: parsed.events.length });
    if (error instanceof DatabaseError && error.unavailable) return answer(503, { error: 'database unavailable, retry later' });
    return answer(500, { error: 'internal error' });
  }
}
