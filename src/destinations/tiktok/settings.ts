import * as z from 'zod/mini';
import type { BaseSettings } from '../types.ts';
import { httpUrl, trimTrailingSlash, unset } from '../env-fields.ts';

export const DEFAULT_API_BASE_URL = 'https://business-api.tiktok.com';
/** `v1.3` is the Marketing API version; the `event/track` body is what TikTok calls Events API 2.0. */
export const TRACK_PATH = '/open_api/v1.3/event/track/';

/**
 * `Purchase` is TikTok's current name; `CompletePayment` is the legacy one TikTok still accepts and
 * renames. The browser pixel must fire the same string or the two copies are not deduplicated.
 */
export const PURCHASE_EVENTS = ['CompletePayment', 'Purchase'] as const;
export type TiktokPurchaseEvent = (typeof PURCHASE_EVENTS)[number];
export const DEFAULT_PURCHASE_EVENT: TiktokPurchaseEvent = 'CompletePayment';

export interface TiktokSettings extends BaseSettings {
  purchaseEvent: TiktokPurchaseEvent;
  /** Events API 2.0 `limited_data_use` on every event (TikTok's counterpart of Meta's LDU). */
  limitedDataUse?: true;
}


/** The TikTok keys of the environment; the config module composes this with the other schemas. */
export const envSchema = z.object({
  TIKTOK_PIXEL_ID: unset(z.string()),
  TIKTOK_ACCESS_TOKEN: unset(z.string()),
  TIKTOK_TEST_EVENT_CODE: unset(z.string()),
  TIKTOK_API_BASE_URL: unset(httpUrl),
  TIKTOK_PURCHASE_EVENT: unset(z.enum(PURCHASE_EVENTS, { error: `must be one of ${PURCHASE_EVENTS.join(', ')}` })),
  TIKTOK_LIMITED_DATA_USE: z._default(z.stringbool(), false),
});

export type TiktokEnv = z.infer<typeof envSchema>;

/** The purchase event name (`EventNameSettings.tiktokPurchaseEvent`); known even when TikTok is off. */
export function purchaseEventName(env: TiktokEnv): TiktokPurchaseEvent {
  return env.TIKTOK_PURCHASE_EVENT ?? DEFAULT_PURCHASE_EVENT;
}

/** Null when TikTok is off: no pixel code or no access token. */
export function toSettings(env: TiktokEnv): TiktokSettings | null {
  if (!env.TIKTOK_PIXEL_ID || !env.TIKTOK_ACCESS_TOKEN) return null;
  const settings: TiktokSettings = {
    pixelId: env.TIKTOK_PIXEL_ID,
    accessToken: env.TIKTOK_ACCESS_TOKEN,
    apiBaseUrl: trimTrailingSlash(env.TIKTOK_API_BASE_URL ?? DEFAULT_API_BASE_URL),
    purchaseEvent: purchaseEventName(env),
  };
  if (env.TIKTOK_TEST_EVENT_CODE) settings.testEventCode = env.TIKTOK_TEST_EVENT_CODE;
  if (env.TIKTOK_LIMITED_DATA_USE) settings.limitedDataUse = true;
  return settings;
}
