import { sanitizeJson } from '../webhook/sanitize.ts';

/**
 * The JSON body of a browser-facing POST, read with a size limit. Over the limit is refused from
 * `content-length` before reading, and again while reading (the header may be absent or wrong), so a
 * large body is never held in memory. Its text is cleaned as a signed event's is (NUL removed, lone
 * surrogates replaced): Postgres stores neither, and a lone surrogate breaks Stripe's form encoding.
 */

export const DEFAULT_MAX_JSON_BYTES = 16 * 1024;

export type JsonRead =
  | { ok: true; value: unknown }
  | { ok: false; status: 400 | 405 | 413; error: string; headers?: Record<string, string> };

export async function readJson(req: Request, maxBytes: number = DEFAULT_MAX_JSON_BYTES): Promise<JsonRead> {
  if (req.method !== 'POST') return { ok: false, status: 405, error: 'method not allowed', headers: { Allow: 'POST, OPTIONS' } };
  const tooLarge = { ok: false, status: 413, error: `body larger than ${maxBytes} bytes` } as const;
  const declared = Number(req.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) return tooLarge;

  const bytes = await readLimited(req, maxBytes);
  if (bytes === null) return tooLarge;
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return { ok: false, status: 400, error: 'body is not UTF-8' };
  }
  if (text.trim() === '') return { ok: false, status: 400, error: 'body must be JSON' };
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { ok: false, status: 400, error: 'body is not valid JSON' };
  }
  const cleaned = sanitizeJson(value);
  return cleaned.ok ? { ok: true, value: cleaned.value } : { ok: false, status: 400, error: `body is ${cleaned.reason}` };
}

/** The body's bytes, or null as soon as they pass the limit (the rest is never read). */
async function readLimited(req: Request, maxBytes: number): Promise<Uint8Array | null> {
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}
