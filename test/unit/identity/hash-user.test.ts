/** hashUser as a whole: key absence (H3), Unicode (H4), the full fixture, and robustness. */
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';
import { splitName } from '../../../src/conversions/identity/normalize.ts';
import type { RawCustomer } from '../../../src/conversions/types.ts';

const sha256 = (s: string): string => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

describe('a full Stripe customer', () => {
  it('hashes every field from its normalised form', () => {
    const user = hashUser({
      email: ' Anna.Svensson+shop@Example.se ',
      phone: '+46 70 123 45 67',
      name: 'Anna Öberg-Lind',
      city: 'Malmö',
      state: 'Skåne',
      postalCode: '211 22',
      country: 'SE',
      externalId: 'CUS_123',
    });
    expect(user).toEqual({
      email: sha256('anna.svensson+shop@example.se'),
      phoneDigits: sha256('46701234567'),
      phoneE164: sha256('+46701234567'),
      firstName: sha256('anna'),
      lastName: sha256('öberglind'),
      city: sha256('malmö'),
      state: sha256('skåne'),
      postalCode: sha256('21122'),
      country: sha256('se'),
      externalId: sha256('cus_123'),
    });
  });
});

describe('H3: empty, blank or invalid values leave the key absent', () => {
  it.each<[string, RawCustomer]>([
    ['all null', { email: null, phone: null, name: null, city: null, state: null, postalCode: null, country: null, externalId: null }],
    ['all empty', { email: '', phone: '', name: '', city: '', state: '', postalCode: '', country: '', externalId: '' }],
    ['all whitespace', { email: ' ', phone: '\t', name: '\n', city: '  ', state: ' ', postalCode: ' ', country: ' ', externalId: ' \r\n' }],
    ['only punctuation', { name: "'-. ,", city: '.-', state: '--', postalCode: '-', country: '..' }],
    ['bad email', { email: 'john at example dot com' }],
    ['phone < 7 digits', { phone: '+46 123' }],
    ['phone > 15 digits', { phone: '+46 70 123 45 67 89 01 23' }],
    ['unknown country code', { country: 'ZZ' }],
    ['empty object', {}],
  ])('%s → {}', (_why, raw) => {
    expect(hashUser(raw)).toEqual({});
  });

  it('one bad field does not cost the others', () => {
    const user = hashUser({ email: 'broken@', phone: '+46701234567' });
    expect(Object.keys(user).sort()).toEqual(['phoneDigits', 'phoneE164']);
  });
});

describe('H4: Unicode', () => {
  const pairs: [string, keyof RawCustomer, string, 'firstName' | 'lastName' | 'city' | 'email' | 'state'][] = [
    ['first name', 'name', 'Zoë', 'firstName'],
    ['last name', 'name', 'Anna Ångström', 'lastName'],
    ['city', 'city', 'Malmö', 'city'],
    ['city with acute', 'city', 'São José', 'city'],
    ['state', 'state', 'Île-de-France', 'state'],
    ['email', 'email', 'zoë@example.com', 'email'],
    ['Hangul (NFD splits syllables into jamo)', 'name', '정 민수', 'lastName'],
  ];

  it.each(pairs)('%s: NFD and NFC inputs give the same hash', (_why, field, value, key) => {
    const nfc = hashUser({ [field]: value.normalize('NFC'), country: 'FR' });
    const nfd = hashUser({ [field]: value.normalize('NFD'), country: 'FR' });
    expect(value.normalize('NFC')).not.toBe(value.normalize('NFD'));
    expect(nfd[key]).toBeDefined();
    expect(nfd[key]).toBe(nfc[key]);
  });

  it.each([
    ['Zoë', 'zoë'],
    ['Åsa', 'åsa'],
    ['Björn', 'björn'],
    ['정', '정'],
    ['花子', '花子'],
    ['Łukasz', 'łukasz'],
    ['Ελένη', 'ελένη'],
    ['Дмитрий', 'дмитрий'],
    ['प्रिया', 'प्रिया'], // combining vowel signs must survive
  ])('non-ASCII letters are kept: %s → %s', (input, expected) => {
    expect(hashUser({ name: input }).firstName).toBe(sha256(expected));
  });

  it('city keeps non-ASCII letters (Malmö → malmö, not malm)', () => {
    expect(hashUser({ city: 'Malmö' }).city).toBe(sha256('malmö'));
    expect(hashUser({ city: 'Malmö' }).city).not.toBe(sha256('malm'));
  });
});

describe('splitName', () => {
  it.each([
    ['Anna', { firstName: 'anna' }],
    ['Anna Svensson', { firstName: 'anna', lastName: 'svensson' }],
    ['Anna van der Berg', { firstName: 'anna', lastName: 'vanderberg' }],
    ["  Mary-Jane   O'Brien ", { firstName: 'maryjane', lastName: 'obrien' }],
    ['山田 花子', { firstName: '山田', lastName: '花子' }],
    ['山田\u3000花子', { firstName: '山田', lastName: '花子' }], // ideographic space
    ['山田花子', { firstName: '山田花子' }],
    ['- Smith', { firstName: 'smith' }],
    ['Dr. J. Smith', { firstName: 'dr', lastName: 'jsmith' }],
    ['', {}],
    ['  . -  ', {}],
  ])('%j → %j', (input, expected) => {
    expect(splitName(input)).toEqual(expected);
  });
});

describe('robustness', () => {
  it('untyped non-string values (from JSON) are treated as absent, never thrown on', () => {
    const weird = { email: 42, phone: { n: 1 }, name: ['a'], city: true, country: 7 } as unknown as RawCustomer;
    expect(hashUser(weird)).toEqual({});
    expect(hashUser(null as unknown as RawCustomer)).toEqual({});
  });

  it('lone surrogates and control characters do not throw', () => {
    const raw: RawCustomer = { name: '\uD800 \u0000x', city: '\uDFFF', email: 'a\uD800@b.co', phone: '+46\uD8007012345678' };
    expect(() => hashUser(raw)).not.toThrow();
  });
});
