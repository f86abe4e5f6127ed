import type { Destination } from '../types.ts';
import { classify } from './classify.ts';
import { buildRequest, eventName, rejectReason } from './request.ts';
import type { TiktokSettings } from './settings.ts';

export type { TiktokSettings } from './settings.ts';
export { envSchema, purchaseEventName, toSettings } from './settings.ts';

const DAY = 24 * 60 * 60;

/**
 * TikTok Events API 2.0 (web). The request cap is TikTok's documented 1,000 events; how many the
 * outbox actually batches is its own choice. No authoritative maximum event age for web events was
 * found (third parties mention 28 days), so the same 7-day guard as Meta applies.
 */
export const tiktok: Destination<TiktokSettings> = {
  name: 'tiktok',
  maxBatchSize: 1000,
  maxEventAgeSeconds: 7 * DAY,
  eventName,
  buildRequest,
  classify,
  rejectReason,
};
