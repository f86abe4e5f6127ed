/** hash.ts primitives and H2 (already-hashed values pass through, never re-hashed). */
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { hashNormalised, isAlreadyHashed, sha256Hex } from '../../../src/conversions/identity/hash.ts';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';

const sha256 = (s: string): string => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');
const HEX = 'a'.repeat(16) + '0123456789abcdef'.repeat(3);
const APPENDIX = `${HEX}.AQQCAQMB`;

describe('sha256Hex', () => {
  it.each(['', 'abc', 'malmö', '정', '😀'])('hashes the UTF-8 bytes of %j as lowercase hex', (s) => {
    expect(sha256Hex(s)).toBe(sha256(s));
    expect(sha256Hex(s)).toMatch(/^[0-9a-f]{64}$/);
  });
});

describe('isAlreadyHashed', () => {
  it.each([
    [HEX, true],
    [HEX.toUpperCase(), true],
    [APPENDIX, true],
    [`${HEX.toUpperCase()}.AQQCAQMB`, true],
    [`${HEX}.ab`, true],
    [`${HEX}.abcdefgh`, true],
    [`${HEX}.a`, false], // appendix shorter than 2
    [`${HEX}.abcdefghi`, false], // appendix longer than 8
    [`${HEX}.ab+/`, false], // base64, not base64url
    [HEX.slice(1), false], // 63 hex
    [`${HEX}0`, false], // 65 hex
    [`${HEX.slice(1)}g`, false], // non-hex character
    [` ${HEX}`, false], // callers trim; the check itself is strict
    ['', false],
  ])('%j → %s', (s, expected) => {
    expect(isAlreadyHashed(s)).toBe(expected);
  });
});

describe('hashNormalised', () => {
  it('hashes a normalised value', () => {
    expect(hashNormalised('john_smith@gmail.com')).toBe(sha256('john_smith@gmail.com'));
  });

  it.each([undefined, '', '   '])('gives undefined for %j', (v) => {
    expect(hashNormalised(v)).toBeUndefined();
  });

  it('passes a 64-hex value through lower-cased, never re-hashed', () => {
    expect(hashNormalised(HEX.toUpperCase())).toBe(HEX);
    expect(hashNormalised(HEX)).toBe(HEX);
  });

  it('lower-cases only the hex part of a parameter-builder value; the base64url appendix is kept', () => {
    expect(hashNormalised(`${HEX.toUpperCase()}.AQQCAQMB`)).toBe(APPENDIX);
  });
});

describe('H2 through hashUser', () => {
  it.each([
    ['email', { email: HEX.toUpperCase() }],
    ['externalId', { externalId: ` ${HEX.toUpperCase()} ` }],
    ['city', { city: HEX.toUpperCase() }],
    ['postalCode', { postalCode: HEX.toUpperCase(), country: 'US' }],
    ['state', { state: HEX.toUpperCase(), country: 'US' }],
  ] as const)('%s: a 64-hex input (any case, padded) is passed through lower-cased', (key, raw) => {
    expect(hashUser(raw)[key]).toBe(HEX);
  });

  it('email: parameter-builder form passes through with the appendix untouched', () => {
    expect(hashUser({ email: `${HEX.toUpperCase()}.AQQCAQMB` }).email).toBe(APPENDIX);
  });

  it('country: a hashed country passes through instead of failing the ISO check', () => {
    expect(hashUser({ country: HEX.toUpperCase() }).country).toBe(HEX);
  });

  it('phone and name: a pre-hashed value cannot be attributed to one form, so it is dropped', () => {
    const user = hashUser({ phone: HEX, name: HEX });
    expect(user).toEqual({});
  });
});
