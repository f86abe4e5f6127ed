import * as z from 'zod/mini';
import { unset } from '../destinations/env-fields.ts';

/** Settings of the `track` function; src/config.ts composes this schema with the others. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 60;

export const envSchema = z.object({
  TRACK_RATE_LIMIT_PER_MINUTE: unset(
    z.coerce.number().check(z.int(), z.positive('must be a positive whole number of requests')),
  ),
});

export interface TrackSettings {
  /** Requests per client IP per minute, for each function instance. */
  rateLimitPerMinute: number;
}

export function toSettings(env: z.infer<typeof envSchema>): TrackSettings {
  return { rateLimitPerMinute: env.TRACK_RATE_LIMIT_PER_MINUTE ?? DEFAULT_RATE_LIMIT_PER_MINUTE };
}
