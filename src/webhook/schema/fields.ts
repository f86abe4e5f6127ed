import * as z from 'zod/mini';

/**
 * The field shapes Stripe documents for the objects we read, each with a message that says what was
 * expected (the reason a refused event is answered with). Loose on purpose where Stripe is: unknown
 * fields pass through untouched.
 */

/** Unix seconds up to the year 9999: what Postgres' to_timestamp and a JS Date both hold. */
const LATEST_SECONDS = 253_402_300_799;
export const unixSeconds = z.number('must be unix seconds').check(
  z.int('must be whole unix seconds'),
  z.gte(0, 'must not be before 1970'),
  z.lte(LATEST_SECONDS, 'must be before the year 10000'),
);
export const optionalSeconds = z.optional(z.nullable(unixSeconds));

/** Stripe amounts are whole minor units; a total, a payment or a refund is never negative. */
export const amount = z.number('must be an amount in minor units').check(
  z.int('must be a whole number of minor units'),
  z.gte(0, 'must not be negative'),
);
/** Invoice lines carry credits (prorations, discounts) as negative amounts. */
export const signedAmount = z.number('must be an amount in minor units').check(z.int('must be a whole number of minor units'));

/** Quantities and attempt counts are stored as Postgres integers. */
export const count = z.number('must be a count').check(
  z.int('must be a whole count'),
  z.gte(0, 'must not be negative'),
  z.lte(2_147_483_647, 'must be below 2^31'),
);

export const currency = z.string('must be a currency code').check(z.regex(/^[a-zA-Z]{3}$/, 'must be a three-letter currency code'));

export const flag = z.boolean('must be true or false');
export const text = z.string('must be text');
export const optionalText = z.optional(z.nullable(text));

/** An id with the prefix Stripe gives this kind of object (and the tables check). */
export const idWith = (prefix: string) =>
  z.string(`must be a ${prefix}… id`).check(z.regex(new RegExp(`^${prefix}[A-Za-z0-9_]+$`), `must be a ${prefix}… id`));
export const anyId = z.string('must be an id').check(z.minLength(1, 'must be an id'), z.maxLength(255, 'must be an id of at most 255 characters'));

/** A field Stripe sends as an id, or as the object when expanded. */
export const expandable = z.optional(
  z.nullable(z.union([anyId, z.looseObject({ id: anyId })], { error: 'must be an id or an object with an id' })),
);

/** Metadata: string keys and string values, as Stripe stores them. */
export const metadata = z.optional(z.nullable(z.record(z.string(), z.string('metadata values must be text'))));
