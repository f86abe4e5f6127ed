/**
 * RawCustomer (Stripe, in memory only) → HashedUser (what the outbox stores). After this point no
 * raw email, phone, name or address exists anywhere in the pipeline.
 *
 * Contract: never throws, and every key present holds a 64-hex digest (or a passed-through
 * parameter-builder hash). A field that cannot be normalised is left out rather than failing the
 * conversion: one bad phone number must not cost the purchase event.
 */
import type { HashedUser, RawCustomer } from '../types.ts';
import { hashNormalised, isAlreadyHashed } from './hash.ts';
import { hashField, text } from './hash-field.ts';
import {
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeName,
  normalizePhone,
  normalizePostalCode,
  normalizeState,
  splitName,
} from './normalize.ts';

type Field = keyof HashedUser;


/** A throwing normaliser (a library bug, an exotic input) costs one key, never the whole user. */
function attempt(fn: () => void): void {
  try {
    fn();
  } catch {
    // Deliberately silent: logging here could leak the raw value we failed to normalise.
  }
}

export function hashUser(input: RawCustomer): HashedUser {
  // Typed as non-null, but this sits behind untyped JSON; a null must still yield an empty user.
  const raw: RawCustomer = input ?? {};
  const user: HashedUser = {};
  const set = (key: Field, value: string | undefined): void => {
    if (value !== undefined) user[key] = value;
  };
  const country = text(raw.country);

  attempt(() => set('email', hashField(raw.email, normalizeEmail)));
  attempt(() => set('externalId', hashField(raw.externalId, normalizeExternalId)));
  attempt(() => set('city', hashField(raw.city, normalizeCity)));
  attempt(() => set('state', hashField(raw.state, (s) => normalizeState(s, country))));
  attempt(() => set('postalCode', hashField(raw.postalCode, (s) => normalizePostalCode(s, country))));
  attempt(() => set('country', hashField(country, normalizeCountry)));

  // An already-hashed phone is dropped: we cannot tell whether it hashed the Meta form (digits) or
  // the TikTok form (+E.164), and a hash of the wrong form matches nothing on that platform.
  attempt(() => {
    const phone = text(raw.phone);
    if (phone === undefined || isAlreadyHashed(phone)) return;
    const p = normalizePhone(phone, country);
    if (p === undefined) return;
    set('phoneDigits', hashNormalised(p.digits));
    set('phoneE164', hashNormalised(p.e164));
  });

  // Names given apart (a sign-up form) are hashed as they are; only a full name is split.
  attempt(() => set('firstName', hashField(raw.firstName, normalizeName)));
  attempt(() => set('lastName', hashField(raw.lastName, normalizeName)));

  // Likewise a hashed full name cannot be split into first and last, so it is dropped.
  attempt(() => {
    if (user.firstName !== undefined || user.lastName !== undefined) return;
    const name = text(raw.name);
    if (name === undefined || isAlreadyHashed(name)) return;
    const { firstName, lastName } = splitName(name);
    set('firstName', hashNormalised(firstName));
    set('lastName', hashNormalised(lastName));
  });

  return user;
}
