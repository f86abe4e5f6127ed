import type { Classification } from '../types.ts';
import { safeReason } from '../safe-reason.ts';

/** Waits suggested to the outbox for TikTok's rate limits and maintenance windows. */
export const RATE_LIMIT_WAIT_SECONDS = 60;
export const MAINTENANCE_WAIT_SECONDS = 300;

const RATE_LIMIT_CODES = new Set([40100, 40132, 61000]);
const AUTH_CODES = new Set([40001, 40102, 40104, 40105]);

/**
 * Reads TikTok's answer. TikTok reports business errors with HTTP 200 and a non-zero body `code`
 * (`{"code":40002,"message":"…","request_id":"…","data":{}}`), so the body decides, not the status.
 * Codes: tiktok-business-api-sdk `tiktok_code.py`. Unlisted codes of 50000 and above are treated as
 * server-side (retryable); any other unlisted code as permanent.
 */
export function classify(status: number, body: string, _sent: number): Classification {
  if (status === 408 || status === 429 || status >= 500) {
    return { outcome: 'retryable', reason: `HTTP ${status}`, ...(status === 429 ? { retryAfterSeconds: RATE_LIMIT_WAIT_SECONDS } : {}) };
  }
  const envelope = parseEnvelope(body);
  if (!envelope) {
    // An HTML page from a proxy or load balancer, or an unexpected JSON shape.
    if (status === 401 || status === 403) return { outcome: 'auth', reason: `HTTP ${status}` };
    return { outcome: 'retryable', reason: `unexpected response (HTTP ${status})` };
  }
  const { code } = envelope;
  const base = {
    platformCode: String(code),
    ...(envelope.requestId ? { traceId: envelope.requestId } : {}),
  };
  const reason = safeReason(envelope.message) ?? `TikTok code ${code}`;

  if (code === 0) return { outcome: 'delivered', ...base };
  if (code === 20001) return { outcome: 'delivered', reason, partial: true, ...base };
  if (RATE_LIMIT_CODES.has(code)) return { outcome: 'retryable', reason, retryAfterSeconds: RATE_LIMIT_WAIT_SECONDS, ...base };
  if (code === 60001) return { outcome: 'retryable', reason, retryAfterSeconds: MAINTENANCE_WAIT_SECONDS, ...base };
  if (code >= 50000) return { outcome: 'retryable', reason, ...base };
  if (AUTH_CODES.has(code)) return { outcome: 'auth', reason, ...base };
  return { outcome: 'permanent', reason, ...base };
}

function parseEnvelope(body: string): { code: number; message?: string; requestId?: string } | undefined {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (typeof json !== 'object' || json === null) return undefined;
  const { code, message, request_id: requestId } = json as Record<string, unknown>;
  if (typeof code !== 'number' || !Number.isInteger(code)) return undefined;
  return {
    code,
    ...(typeof message === 'string' ? { message } : {}),
    ...(typeof requestId === 'string' ? { requestId } : {}),
  };
}
