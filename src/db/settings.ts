import * as z from 'zod/mini';

/**
 * How long one database call may take, end to end (connecting included). Past it the call fails as
 * "unavailable" and the webhook answers 503 at once: Stripe times out slow endpoints and retries
 * anyway, and a function that waits on a database that went away is billed for the wait.
 */
export const DEFAULT_DATABASE_TIMEOUT_MS = 5000;

export const envSchema = z.object({
  DATABASE_TIMEOUT_MS: z._default(z.coerce.number().check(z.int(), z.gte(100)), DEFAULT_DATABASE_TIMEOUT_MS),
});

export interface DatabaseSettings {
  timeoutMs: number;
}

export function toSettings(env: z.infer<typeof envSchema>): DatabaseSettings {
  return { timeoutMs: env.DATABASE_TIMEOUT_MS };
}
