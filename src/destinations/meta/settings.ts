import * as z from 'zod/mini';
import type { BaseSettings } from '../types.ts';
import { httpUrl, trimTrailingSlash, unset } from '../env-fields.ts';

export const DEFAULT_API_BASE_URL = 'https://graph.facebook.com';
/** Graph API version; v26.0 is current, v25.0 is supported until 29 Jul 2028. */
export const DEFAULT_API_VERSION = 'v26.0';

/**
 * Limited Data Use: `off` sends no `data_processing_options`; `geolocate` sends `["LDU"]` with
 * country and state 0, so Meta decides by the user's location which US state laws apply.
 */
export const LIMITED_DATA_USE = ['off', 'geolocate'] as const;
export type MetaLimitedDataUse = (typeof LIMITED_DATA_USE)[number];

export interface MetaSettings extends BaseSettings {
  apiVersion: string;
  limitedDataUse: MetaLimitedDataUse;
}


/** The Meta keys of the environment; the config module composes this with the other schemas. */
export const envSchema = z.object({
  META_PIXEL_ID: unset(z.string()),
  META_ACCESS_TOKEN: unset(z.string()),
  META_TEST_EVENT_CODE: unset(z.string()),
  META_API_BASE_URL: unset(httpUrl),
  META_API_VERSION: unset(z.string().check(z.regex(/^v\d+\.\d+$/, 'must look like v26.0'))),
  META_LIMITED_DATA_USE: unset(z.enum(LIMITED_DATA_USE, { error: `must be one of ${LIMITED_DATA_USE.join(', ')}` })),
});

export type MetaEnv = z.infer<typeof envSchema>;

/** Null when Meta is off: no pixel (dataset) id or no access token. */
export function toSettings(env: MetaEnv): MetaSettings | null {
  if (!env.META_PIXEL_ID || !env.META_ACCESS_TOKEN) return null;
  const settings: MetaSettings = {
    pixelId: env.META_PIXEL_ID,
    accessToken: env.META_ACCESS_TOKEN,
    apiBaseUrl: trimTrailingSlash(env.META_API_BASE_URL ?? DEFAULT_API_BASE_URL),
    apiVersion: env.META_API_VERSION ?? DEFAULT_API_VERSION,
    limitedDataUse: env.META_LIMITED_DATA_USE ?? 'off',
  };
  if (env.META_TEST_EVENT_CODE) settings.testEventCode = env.META_TEST_EVENT_CODE;
  return settings;
}
