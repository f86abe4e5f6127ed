/**
 * H1, part 2: the project's own vector table, one block per rule of reference §4.2. Each row asserts
 * the normalised string, then that hashUser stores sha256 of exactly that string (computed here with
 * node:crypto, independently of the module under test), or omits the key when the value is unusable.
 */
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import {
  normalizeCity,
  normalizeCountry,
  normalizeEmail,
  normalizeExternalId,
  normalizeName,
  normalizePostalCode,
  normalizeState,
} from '../../../src/conversions/identity/normalize.ts';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';
import type { HashedUser, RawCustomer } from '../../../src/conversions/types.ts';

const sha256 = (s: string): string => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

interface Vector {
  input: string;
  country?: string;
  expected: string | undefined;
}

interface Rule {
  rule: string;
  key: keyof HashedUser;
  normalise: (v: string, country?: string) => string | undefined;
  toRaw: (v: string, country?: string) => RawCustomer;
  vectors: Vector[];
}

const RULES: Rule[] = [
  {
    rule: 'email: trim all whitespace, lowercase, keep dots and +tags, drop non-emails',
    key: 'email',
    normalise: (v) => normalizeEmail(v),
    toRaw: (v) => ({ email: v }),
    vectors: [
      { input: 'John_Smith@gmail.com', expected: 'john_smith@gmail.com' },
      { input: '\t Jane.Doe+Shop@Example.CO.UK \n', expected: 'jane.doe+shop@example.co.uk' },
      { input: 'j.o.h.n@gmail.com', expected: 'j.o.h.n@gmail.com' },
      { input: 'Zoë@Exämple.se', expected: 'zoë@exämple.se' },
      { input: 'not-an-email', expected: undefined },
      { input: 'a@b', expected: undefined },
      { input: '@example.com', expected: undefined },
      { input: 'a@@example.com', expected: undefined },
      { input: 'a b@example.com', expected: undefined },
      { input: 'a@.com', expected: undefined },
      { input: '   ', expected: undefined },
    ],
  },
  {
    rule: 'fn/ln: lowercase, strip whitespace and punctuation, keep non-ASCII letters',
    key: 'firstName',
    normalise: (v) => normalizeName(v),
    toRaw: (v) => ({ name: v }),
    vectors: [
      { input: 'Mary', expected: 'mary' },
      { input: "D'Arcy", expected: 'darcy' },
      { input: 'Jean-Luc', expected: 'jeanluc' },
      { input: 'J.R.', expected: 'jr' },
      { input: 'Zoë', expected: 'zoë' },
      { input: 'Åsa', expected: 'åsa' },
      { input: 'Jürgen,', expected: 'jürgen' },
      { input: '정', expected: '정' },
      { input: '花子', expected: '花子' },
      { input: "'-.,", expected: undefined },
    ],
  },
  {
    rule: 'ln: everything after the first token, joined',
    key: 'lastName',
    normalise: (v) => normalizeName(v),
    toRaw: (v) => ({ name: `Anna ${v}` }),
    vectors: [
      { input: "O'Brien", expected: 'obrien' },
      { input: 'Müller-Lüdenscheidt', expected: 'müllerlüdenscheidt' },
      { input: 'Öberg', expected: 'öberg' },
    ],
  },
  {
    rule: 'ct: same rule as names, non-ASCII kept (project decision, reference §4.3)',
    key: 'city',
    normalise: (v) => normalizeCity(v),
    toRaw: (v) => ({ city: v }),
    vectors: [
      { input: 'Malmö', expected: 'malmö' },
      { input: 'San José', expected: 'sanjosé' },
      { input: 'Saint-Étienne', expected: 'saintétienne' },
      { input: 'St. Louis', expected: 'stlouis' },
      { input: 'New York', expected: 'newyork' },
      { input: '東京', expected: '東京' },
      { input: ' . ', expected: undefined },
    ],
  },
  {
    rule: 'st: US/CA names → two-letter code; elsewhere lowercase without punctuation',
    key: 'state',
    normalise: (v, c) => normalizeState(v, c),
    toRaw: (v, country) => ({ state: v, country }),
    vectors: [
      { input: 'California', country: 'US', expected: 'ca' },
      { input: 'CA', country: 'US', expected: 'ca' },
      { input: 'new york', country: 'us', expected: 'ny' },
      { input: 'District of Columbia', country: 'US', expected: 'dc' },
      { input: 'Puerto Rico', country: 'US', expected: 'pr' },
      { input: 'Québec', country: 'CA', expected: 'qc' },
      { input: 'British Columbia', country: 'CA', expected: 'bc' },
      { input: 'Texas', expected: 'tx' },
      { input: 'New South Wales', country: 'AU', expected: 'newsouthwales' },
      { input: 'Skåne län', country: 'SE', expected: 'skånelän' },
      { input: 'Georgia', country: 'GE', expected: 'georgia' },
      { input: '--', country: 'US', expected: undefined },
    ],
  },
  {
    rule: 'zp: lowercase, no spaces or dashes; US ZIP+4 → 5 digits; others keep the full code',
    key: 'postalCode',
    normalise: (v, c) => normalizePostalCode(v, c),
    toRaw: (v, country) => ({ postalCode: v, country }),
    vectors: [
      { input: '94105', country: 'US', expected: '94105' },
      { input: '94105-1234', country: 'US', expected: '94105' },
      { input: '94105 1234', country: 'us', expected: '94105' },
      { input: '00901-1234', country: 'PR', expected: '00901' },
      { input: '211 22', country: 'SE', expected: '21122' },
      { input: 'SW1A 1AA', country: 'GB', expected: 'sw1a1aa' },
      { input: 'K1A 0B1', country: 'CA', expected: 'k1a0b1' },
      { input: '01310-100', country: 'BR', expected: '01310100' },
      { input: '1234-567', country: 'PT', expected: '1234567' },
      { input: '94105-1234', expected: '941051234' }, // no country: not assumed to be US
      { input: ' - ', country: 'US', expected: undefined },
    ],
  },
  {
    rule: 'country: ISO 3166-1 alpha-2 lowercase; a few common names mapped; anything else dropped',
    key: 'country',
    normalise: (v) => normalizeCountry(v),
    toRaw: (v) => ({ country: v }),
    vectors: [
      { input: 'SE', expected: 'se' },
      { input: 'us', expected: 'us' },
      { input: ' Gb ', expected: 'gb' },
      { input: 'XK', expected: 'xk' },
      { input: 'UK', expected: 'gb' },
      { input: 'United States', expected: 'us' },
      { input: 'United Kingdom', expected: 'gb' },
      { input: 'Sweden', expected: 'se' },
      { input: 'XX', expected: undefined },
      { input: 'USA!', expected: 'us' },
      { input: 'Atlantis', expected: undefined },
    ],
  },
  {
    rule: 'external_id: trim + lowercase',
    key: 'externalId',
    normalise: (v) => normalizeExternalId(v),
    toRaw: (v) => ({ externalId: v }),
    vectors: [
      { input: 'user_123', expected: 'user_123' },
      { input: '  3F2504E0-4F89-11D3-9A0C-0305E82C3301 ', expected: '3f2504e0-4f89-11d3-9a0c-0305e82c3301' },
      { input: 'cus_NffrFeUfNV2Hib', expected: 'cus_nffrfeufnv2hib' },
      { input: ' \t', expected: undefined },
    ],
  },
];

describe.each(RULES)('$rule', ({ key, normalise, toRaw, vectors }) => {
  it.each(vectors)('$input ($country) → $expected', ({ input, country, expected }) => {
    expect(normalise(input, country)).toBe(expected);
    const user = hashUser(toRaw(input, country));
    if (expected === undefined) {
      expect(user).not.toHaveProperty(key);
    } else {
      expect(user[key]).toBe(sha256(expected));
    }
  });
});
