import * as z from 'zod/mini';
import { unset } from '../destinations/env-fields.ts';

const ORIGIN = /^https?:\/\/[^/\s]+$/iu;

/**
 * Settings of the browser-facing functions (checkout creation, `track`): who may call them and
 * whether anything may be recorded without the visitor's consent.
 */
export const envSchema = z.object({
  ALLOWED_ORIGINS: unset(
    z.string().check(
      z.refine((v) => v.split(',').every((s) => s.trim() === '' || ORIGIN.test(s.trim())), {
        message: 'must be comma-separated origins, scheme://host[:port]',
      }),
    ),
  ),
  /** Set by Netlify at run time: the site's main address. Always an allowed origin. */
  URL: unset(z.url({ protocol: /^https?$/ })),
  REQUIRE_AD_CONSENT: z._default(z.stringbool(), false),
});

export type HttpEnv = z.infer<typeof envSchema>;

export interface HttpSettings {
  allowedOrigins: string[];
  siteUrl?: string;
  requireAdConsent: boolean;
}

export function toSettings(env: HttpEnv): HttpSettings {
  return {
    allowedOrigins: (env.ALLOWED_ORIGINS ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    ...(env.URL && { siteUrl: env.URL }),
    requireAdConsent: env.REQUIRE_AD_CONSENT,
  };
}
