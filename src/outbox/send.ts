import type { OutgoingRequest } from '../destinations/types.ts';

export interface HttpAnswer {
  status: number;
  body: string;
  /** The platform's `retry-after` header, in seconds, when it sent one. */
  retryAfterSeconds?: number;
}

/** The outbound HTTP port: one POST with a deadline. Tests give it real local servers, not stubs. */
export type HttpSend = (request: OutgoingRequest, timeoutMs: number) => Promise<HttpAnswer>;

export class NetworkError extends Error {
  override readonly name = 'NetworkError';
}

export const fetchSend: HttpSend = async (request, timeoutMs) => {
  try {
    const res = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
    const retryAfterSeconds = parseRetryAfter(res.headers.get('retry-after'), Date.now());
    return { status: res.status, body: await res.text(), ...(retryAfterSeconds !== undefined && { retryAfterSeconds }) };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const what = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    // The URL's origin only: a path or query could hold an id, never a token (tokens go in headers).
    throw new NetworkError(`${new URL(request.url).origin}: ${what}`, { cause: error });
  }
};

/** Longest wait a header may ask for; the outbox's own backoff is capped at 6 h too. */
const MAX_RETRY_AFTER_SECONDS = 6 * 60 * 60;

/** `retry-after` as seconds (RFC 9110: delay-seconds or an HTTP date); undefined when unusable. */
export function parseRetryAfter(value: string | null, nowMs: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  // An HTTP date names its weekday and month; anything else that is not whole seconds is unusable.
  const seconds = /^\d+$/.test(trimmed)
    ? Number(trimmed)
    : /^[A-Za-z]{3}, /.test(trimmed) ? Math.ceil((Date.parse(trimmed) - nowMs) / 1000) : Number.NaN;
  if (!Number.isFinite(seconds)) return undefined;
  return Math.min(Math.max(seconds, 0), MAX_RETRY_AFTER_SECONDS);
}
