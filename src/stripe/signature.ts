import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * Stripe webhook signatures (Stripe-Signature: t=<unix>,v1=<hex>[,v1=<hex>…]). v1 is HMAC-SHA256 of
 * `${t}.${rawBody}` with the endpoint secret; during a secret roll there is one v1 per secret, and
 * several configured secrets are all tried. Only v1 counts: v0 and unknown schemes are ignored so a
 * downgrade cannot pass. Unlike stripe-node this also refuses timestamps from the future.
 */
export const DEFAULT_TOLERANCE_SECONDS = 300;

export type SignatureFailure = 'missing_header' | 'malformed_header' | 'no_matching_signature' | 'timestamp_outside_tolerance';

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(readonly reason: SignatureFailure, message: string) {
    super(message);
  }
}

interface ParsedHeader {
  timestamp: number;
  signatures: string[];
}

function parseHeader(header: string): ParsedHeader | null {
  let timestamp = Number.NaN;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    const key = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    else if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  return Number.isFinite(timestamp) && signatures.length > 0 ? { timestamp, signatures } : null;
}

export interface VerifyOptions {
  /** The clock, injectable for tests: unix seconds. */
  nowSeconds: number;
  toleranceSeconds?: number;
}

/** Throws SignatureError unless one v1 signature matches one secret within the tolerance. */
export function verifyStripeSignature(
  rawBody: string,
  header: string | null | undefined,
  secrets: readonly string[],
  { nowSeconds, toleranceSeconds = DEFAULT_TOLERANCE_SECONDS }: VerifyOptions,
): void {
  // A tolerance of 0 would disable replay protection entirely; it is never allowed.
  if (!(toleranceSeconds > 0)) throw new RangeError('signature tolerance must be positive');
  if (secrets.length === 0) throw new RangeError('no webhook secret configured');
  if (!header) throw new SignatureError('missing_header', 'missing Stripe-Signature header');

  const parsed = parseHeader(header);
  if (!parsed) throw new SignatureError('malformed_header', 'malformed Stripe-Signature header');

  const signedPayload = `${parsed.timestamp}.${rawBody}`;
  const matches = secrets.some((secret) => {
    const expected = Buffer.from(createHmac('sha256', secret).update(signedPayload, 'utf8').digest('hex'));
    return parsed.signatures.some((sig) => timingSafeEqual(expected, Buffer.from(sig)));
  });
  if (!matches) throw new SignatureError('no_matching_signature', 'no signature matches the payload');

  if (Math.abs(nowSeconds - parsed.timestamp) > toleranceSeconds) {
    throw new SignatureError('timestamp_outside_tolerance', 'signature timestamp outside the tolerance');
  }
}

/** Builds a Stripe-Signature header for a payload: for replaying events and for benchmarks. */
export function signStripePayload(rawBody: string, secret: string, timestampSeconds: number): string {
  const signature = createHmac('sha256', secret).update(`${timestampSeconds}.${rawBody}`, 'utf8').digest('hex');
  return `t=${timestampSeconds},v1=${signature}`;
}
