import type { Classification } from '../types.ts';
import { safeReason } from '../safe-reason.ts';

/** Wait suggested to the outbox after a Graph throttling error (app, user, ad-account, business). */
export const RATE_LIMIT_WAIT_SECONDS = 300;

const RATE_LIMIT_CODES = new Set([4, 17, 613]);
const TRANSIENT_CODES = new Set([1, 2, 341, 368, 5000, 21009]);

interface GraphError {
  code?: number;
  subcode?: number;
  message?: string;
  userMessage?: string;
  transient: boolean;
  traceId?: string;
}

/**
 * Reads Meta's answer: `200 {"events_received":n,"messages":[],"fbtrace_id":"…"}` on success, else the
 * Graph error envelope `{"error":{code, error_subcode, message, error_user_msg, is_transient, fbtrace_id}}`.
 * Table: Graph "Handling Errors" and rate-limit pages, RudderStack's facebookUtils network handler.
 */
export function classify(status: number, body: string, sent: number): Classification {
  const json = parseJson(body);
  const error = readError(json);
  const transport = status === 408 || status === 429 || status >= 500;

  if (!error) {
    if (transport) return { outcome: 'retryable', reason: `HTTP ${status}`, ...(status === 429 ? { retryAfterSeconds: RATE_LIMIT_WAIT_SECONDS } : {}) };
    const received = isRecord(json) ? json['events_received'] : undefined;
    const traceId = isRecord(json) && typeof json['fbtrace_id'] === 'string' ? { traceId: json['fbtrace_id'] } : {};
    if (status >= 200 && status < 300 && typeof received === 'number') {
      if (received === sent) return { outcome: 'delivered', ...traceId };
      return { outcome: 'retryable', reason: `Meta received ${received} of ${sent} events`, ...traceId };
    }
    if (status === 401 || status === 403) return { outcome: 'auth', reason: `HTTP ${status}` };
    // HTML from a proxy, an empty body or an unknown JSON shape.
    return { outcome: 'retryable', reason: `unexpected response (HTTP ${status})` };
  }

  const { code, subcode } = error;
  const base = {
    ...(code !== undefined ? { platformCode: subcode !== undefined ? `${code}/${subcode}` : String(code) } : {}),
    ...(error.traceId ? { traceId: error.traceId } : {}),
  };
  const reason = safeReason(error.userMessage || error.message) ?? `HTTP ${status}`;

  if (code !== undefined && (RATE_LIMIT_CODES.has(code) || (code >= 80000 && code <= 80099))) {
    return { outcome: 'retryable', reason, retryAfterSeconds: RATE_LIMIT_WAIT_SECONDS, ...base };
  }
  if (transport || error.transient || (code !== undefined && TRANSIENT_CODES.has(code))) {
    return { outcome: 'retryable', reason, ...base };
  }
  if (code === 190 || code === 10 || (code !== undefined && code >= 200 && code <= 299)) {
    return { outcome: 'auth', reason, ...base };
  }
  return { outcome: 'permanent', reason, ...base };
}

function readError(json: unknown): GraphError | undefined {
  if (!isRecord(json) || !isRecord(json['error'])) return undefined;
  const e = json['error'];
  const int = (v: unknown) => (typeof v === 'number' && Number.isInteger(v) ? v : undefined);
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const error: GraphError = { transient: e['is_transient'] === true };
  const code = int(e['code']);
  const subcode = int(e['error_subcode']);
  const message = str(e['message']);
  const userMessage = str(e['error_user_msg']);
  const traceId = str(e['fbtrace_id']);
  if (code !== undefined) error.code = code;
  if (subcode !== undefined) error.subcode = subcode;
  if (message !== undefined) error.message = message;
  if (userMessage !== undefined) error.userMessage = userMessage;
  if (traceId !== undefined) error.traceId = traceId;
  return error;
}

function parseJson(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return undefined;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
