import * as z from 'zod/mini';
import { unset } from '../destinations/env-fields.ts';

/** The operations keys of the environment; the config module composes this with the other schemas. */
export const envSchema = z.object({
  // Long enough that guessing is hopeless; the status answer is read-only but shows volumes.
  STATUS_TOKEN: unset(z.string().check(z.minLength(24, 'must be at least 24 characters'))),
  OUTBOX_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 30),
  STRIPE_EVENT_RETENTION_DAYS: z._default(z.coerce.number().check(z.int(), z.positive()), 90),
});

export type OpsEnv = z.infer<typeof envSchema>;

export interface OpsSettings {
  /** Unset: `tracking-status` answers 404 (off). */
  statusToken?: string;
  retention: { outboxDays: number; stripeEventDays: number };
}

export function toSettings(env: OpsEnv): OpsSettings {
  return {
    ...(env.STATUS_TOKEN && { statusToken: env.STATUS_TOKEN }),
    retention: { outboxDays: env.OUTBOX_RETENTION_DAYS, stripeEventDays: env.STRIPE_EVENT_RETENTION_DAYS },
  };
}
