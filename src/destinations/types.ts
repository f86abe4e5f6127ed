import type { Conversion, ConversionKind } from '../conversions/types.ts';

/** The four ways a delivery attempt can end; only the outbox turns them into row states. */
export type DeliveryOutcome = 'delivered' | 'retryable' | 'permanent' | 'auth';

export interface Classification {
  outcome: DeliveryOutcome;
  /** Human-readable reason kept on the row (platform message, never a token or PII). */
  reason?: string;
  /** Platform-specific code, e.g. TikTok `40002` or Meta `100/2804003`. */
  platformCode?: string;
  /** Meta `fbtrace_id` / TikTok `request_id`, for support tickets. */
  traceId?: string;
  /** A hint to wait longer (rate limits). */
  retryAfterSeconds?: number;
  /** Some events of the request were accepted, some not, and the answer does not say which. */
  partial?: boolean;
}

export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** Settings common to every destination once it is on (token and pixel present). */
export interface BaseSettings {
  pixelId: string;
  accessToken: string;
  testEventCode?: string;
  apiBaseUrl: string;
}

/**
 * One ad platform. Everything here is pure: the outbox does the I/O. Adding a platform means one
 * folder exporting a Destination and one line in registry.ts.
 */
export interface Destination<S extends BaseSettings = BaseSettings> {
  readonly name: string;
  /** The platform's event name for a conversion kind, or null when the platform has none. */
  eventName(kind: ConversionKind, settings: EventNameSettings): string | null;
  /** Most events one request may carry. */
  readonly maxBatchSize: number;
  /** Events older than this are dead-lettered without a request. */
  readonly maxEventAgeSeconds: number;
  /**
   * Builds one request for conversions that share a pixel. `testEventCode` is set by the outbox only
   * for Stripe test-mode conversions.
   */
  buildRequest(conversions: Conversion[], settings: S, options: { testEventCode?: string }): OutgoingRequest;
  /** Reads the platform's answer. `sent` is how many events the request carried. */
  classify(status: number, body: string, sent: number): Classification;
  /**
   * Why this platform must never be sent the conversion (e.g. a currency it does not support), or
   * undefined. The outbox dead-letters such a delivery with this reason, without a request.
   */
  rejectReason?(conversion: Conversion): string | undefined;
}

/** Event-name settings the webhook needs when it writes outbox rows (before any token is known). */
export interface EventNameSettings {
  tiktokPurchaseEvent: string;
}
