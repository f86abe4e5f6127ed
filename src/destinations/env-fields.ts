import * as z from 'zod/mini';

/** Field schemas shared by every destination's settings. */

/** An empty variable (`KEY=` in a .env file) counts as unset. */
export const unset = <T extends z.core.SomeType>(schema: T) =>
  z.pipe(z.transform((value: unknown) => (value === '' ? undefined : value)), z.optional(schema));

export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' });

export const trimTrailingSlash = (url: string) => url.replace(/\/+$/, '');
