import type { OutgoingRequest } from '../destinations/types.ts';

export interface HttpAnswer {
  status: number;
  body: string;
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
    return { status: res.status, body: await res.text() };
  } catch (error) {
    const e = error as Error & { cause?: { code?: string } };
    const what = e.name === 'TimeoutError' ? `timed out after ${timeoutMs} ms` : (e.cause?.code ?? e.message);
    // The URL's origin only: a path or query could hold an id, never a token (tokens go in headers).
    throw new NetworkError(`${new URL(request.url).origin}: ${what}`, { cause: error });
  }
};
