/**
 * A signed-in account's identifiers (its user id and email), hashed by the same rules as hashUser().
 * Kept apart because checkout creation never sees a phone or an address: importing hashUser would
 * put the phone number metadata (about 150 KB) into that function's cold start for nothing.
 */
import type { HashedUser } from '../types.ts';
import { hashField } from './hash-field.ts';
import { normalizeEmail, normalizeExternalId } from './normalize.ts';

export function hashAccount(account: { userId?: string; email?: string }): Pick<HashedUser, 'email' | 'externalId'> {
  const user: Pick<HashedUser, 'email' | 'externalId'> = {};
  const email = hashField(account.email, normalizeEmail);
  const externalId = hashField(account.userId, normalizeExternalId);
  if (email !== undefined) user.email = email;
  if (externalId !== undefined) user.externalId = externalId;
  return user;
}
