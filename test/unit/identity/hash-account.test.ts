import { describe, expect, it } from 'vitest';
import { hashAccount } from '../../../src/conversions/identity/hash-account.ts';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';

describe('hashAccount', () => {
  it('hashes a user id and email exactly as hashUser does', () => {
    const raw = { userId: ' 0d6b2f4e-8A1C-4e7b-9f3a-5c2d1e0b9a87 ', email: ' Pat.Example@Example.COM ' };
    const full = hashUser({ externalId: raw.userId, email: raw.email });
    expect(hashAccount(raw)).toEqual({ email: full.email, externalId: full.externalId });
  });

  it('leaves out what is missing or unusable', () => {
    expect(hashAccount({})).toEqual({});
    expect(hashAccount({ userId: '  ', email: 'not-an-email' })).toEqual({});
  });
});
