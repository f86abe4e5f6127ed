/**
 * H1, part 1: every hash the platforms print in their own docs (reference §4.1), reproduced
 * end to end through hashUser, so a regression in any normaliser or in the hashing shows here first.
 */
import { describe, it, expect } from 'vitest';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';
import type { HashedUser, RawCustomer } from '../../../src/conversions/types.ts';

interface Published {
  source: string;
  raw: RawCustomer;
  key: keyof HashedUser;
  hash: string;
}

const PUBLISHED: Published[] = [
  {
    source: 'Meta em: John_Smith@gmail.com',
    raw: { email: 'John_Smith@gmail.com' },
    key: 'email',
    hash: '62a14e44f765419d10fea99367361a727c12365e2520f32218d505ed9aa0f62f',
  },
  {
    source: 'Meta ph: US (650)555-1212 → 16505551212',
    raw: { phone: '(650)555-1212', country: 'US' },
    key: 'phoneDigits',
    hash: 'e323ec626319ca94ee8bff2e4c87cf613be6ea19919ed1364124e16807ab3176',
  },
  {
    source: 'TikTok email: " ALICE_abc@gmail.com "',
    raw: { email: ' ALICE_abc@gmail.com ' },
    key: 'email',
    hash: '848a771458438fc2ec420560d769fb9b9b86851ee338ec56517baabd79d3bb4f',
  },
  {
    source: 'TikTok phone: (+1)2133734253 → +12133734253',
    raw: { phone: '(+1)2133734253' },
    key: 'phoneE164',
    hash: '9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd',
  },
  {
    source: 'TikTok external_id: user_123',
    raw: { externalId: 'user_123' },
    key: 'externalId',
    hash: '80fba0ae1c48e3978e43e4efc365e14e12ea0c830ba8ba5b9a2dafc7e3f2ab8b',
  },
  // Meta's customer-information page also prints first-name hashes, including non-ASCII ones.
  {
    source: 'Meta fn: Mary',
    raw: { name: 'Mary' },
    key: 'firstName',
    hash: '6915771be1c5aa0c886870b6951b03d7eafc121fea0e80a5ea83beb7c449f4ec',
  },
  {
    source: 'Meta fn: 정 (Hangul)',
    raw: { name: '정' },
    key: 'firstName',
    hash: '8fa8cd9c440be61d0151429310034083132b35975c4bea67fdd74158eb51db14',
  },
  {
    source: 'Meta fn: Valéry',
    raw: { name: 'Valéry' },
    key: 'firstName',
    hash: '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c',
  },
  {
    source: 'Meta fn: Valéry typed in NFD still matches the published hash',
    raw: { name: 'Valéry'.normalize('NFD') },
    key: 'firstName',
    hash: '08e1996b5dd49e62a4b4c010d44e4345592a863bb9f8e3976219bac29417149c',
  },
];

describe('published platform examples (reference §4.1)', () => {
  it.each(PUBLISHED)('$source', ({ raw, key, hash }) => {
    expect(hashUser(raw)[key]).toBe(hash);
  });

  it('the TikTok phone example gives Meta its digit form from the same parse', () => {
    const user = hashUser({ phone: '(+1)2133734253' });
    expect(user.phoneE164).toBe('9f7ec22d72092cd3c0b58726ed9c2d91b92e51a3f29837508fb2948bb22dd2fd');
    expect(user.phoneDigits).not.toBe(user.phoneE164);
  });
});
