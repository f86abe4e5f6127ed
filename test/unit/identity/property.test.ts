/**
 * Property-style check: for a few hundred generated customers, hashUser never throws and every
 * value it returns is a 64-char lowercase hex digest. Seeded, so a failure is reproducible.
 */
import { describe, it, expect } from 'vitest';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';
import type { RawCustomer } from '../../../src/conversions/types.ts';

/** mulberry32: tiny, deterministic, good enough to spread inputs; not for anything secret. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// Pieces chosen to hit every branch: separators, phone punctuation, @ and dots, hex, non-ASCII,
// combining marks, full-width forms, emoji, lone surrogates, control and zero-width characters.
const PIECES = [
  'a', 'Z', 'é', 'e\u0301', 'ö', '정', '山', 'ß', 'İ', 'ﬁ', '0', '7', '00', '+', '(0)', '(', ')', '-', '.',
  ' ', '\t', '\n', '\u00a0', '\u3000', '@', '_', "'", ',', '/', '#', 'ext', 'fb.1.', 'deadbeef',
  'ABCDEF0123456789', '＋', '４', '😀', '\uD800', '\uDFFF', '\u0000', '\u200b', '\u202e', 'US', 'se',
];

function randomString(next: () => number): string {
  const n = Math.floor(next() * 24);
  let s = '';
  for (let i = 0; i < n; i++) s += PIECES[Math.floor(next() * PIECES.length)];
  if (next() < 0.05) s = 'f'.repeat(64); // sometimes an "already hashed" value
  return s;
}

function randomCustomer(next: () => number): RawCustomer {
  const pick = (): string | null | undefined => {
    const r = next();
    return r < 0.1 ? null : r < 0.2 ? undefined : randomString(next);
  };
  return {
    email: pick(), phone: pick(), name: pick(), city: pick(), state: pick(),
    postalCode: pick(), country: pick(), externalId: pick(),
  };
}

describe('hashUser on generated input', () => {
  const next = prng(0x5eed);
  const customers = Array.from({ length: 400 }, () => randomCustomer(next));

  it('never throws and only ever returns 64 lowercase hex values', () => {
    let present = 0;
    for (const raw of customers) {
      const user = hashUser(raw);
      for (const value of Object.values(user)) {
        expect(value).toMatch(/^[0-9a-f]{64}$/);
        present++;
      }
    }
    // Guard against a generator that only produces empty users and so proves nothing.
    expect(present).toBeGreaterThan(400);
  });

  it('is deterministic: the same input gives the same output', () => {
    for (const raw of customers.slice(0, 50)) expect(hashUser(raw)).toEqual(hashUser({ ...raw }));
  });
});
