/**
 * H5: one parse, two shapes. Meta hashes digits with country code and no `+`, TikTok hashes E.164
 * with the `+`. National numbers take the billing country; with no country and no `+`, nothing.
 */
import { createHash } from 'node:crypto';
import { describe, it, expect } from 'vitest';
import { normalizePhone } from '../../../src/conversions/identity/normalize.ts';
import { hashUser } from '../../../src/conversions/identity/hash-user.ts';

const sha256 = (s: string): string => createHash('sha256').update(Buffer.from(s, 'utf8')).digest('hex');

const VALID: { why: string; raw: string; country?: string; e164: string }[] = [
  { why: 'Stripe E.164 as is', raw: '+46701234567', e164: '+46701234567' },
  { why: 'Meta doc example, US national with billing country', raw: '(650)555-1212', country: 'US', e164: '+16505551212' },
  { why: 'TikTok doc example, bracketed country code', raw: '(+1)2133734253', e164: '+12133734253' },
  { why: 'national SE number with billing country', raw: '070-123 45 67', country: 'SE', e164: '+46701234567' },
  { why: 'billing country in lower case', raw: '070 123 45 67', country: 'se', e164: '+46701234567' },
  { why: '(0) trunk prefix after the country code', raw: '+44 (0)20 7946 0958', e164: '+442079460958' },
  { why: '(0) trunk prefix, German', raw: '+49 (0) 30 1234567', e164: '+49301234567' },
  { why: 'Italian leading 0 is significant, not a trunk prefix', raw: '+39 06 1234 5678', e164: '+390612345678' },
  { why: '00 international prefix, no billing country', raw: '00 46 70 123 45 67', e164: '+46701234567' },
  { why: '00 prefix with a different billing country', raw: '0046701234567', country: 'US', e164: '+46701234567' },
  { why: '+00 prefix typed by mistake', raw: '+001 650 555 1212', e164: '+16505551212' },
  { why: 'US 011 exit code with US billing country', raw: '011 46 70 123 45 67', country: 'US', e164: '+46701234567' },
  { why: 'a + number ignores the billing country', raw: '+1 650 555 1212', country: 'SE', e164: '+16505551212' },
  { why: 'extension dropped', raw: '+1-650-555-1212 ext. 123', e164: '+16505551212' },
  { why: 'tel: URI', raw: 'tel:+46701234567', e164: '+46701234567' },
  { why: 'full-width digits and plus', raw: '＋４６７０１２３４５６７', e164: '+46701234567' },
  { why: 'surrounding whitespace and newlines', raw: '\t+46 70 123 45 67\n', e164: '+46701234567' },
];

describe('normalizePhone: valid numbers', () => {
  it.each(VALID)('$why: $raw', ({ raw, country, e164 }) => {
    expect(normalizePhone(raw, country)).toEqual({ e164, digits: e164.slice(1) });
  });

  it.each(VALID)('hashUser stores Meta digits and TikTok +E.164 for $raw', ({ raw, country, e164 }) => {
    const user = hashUser({ phone: raw, country });
    expect(user.phoneDigits).toBe(sha256(e164.slice(1)));
    expect(user.phoneE164).toBe(sha256(e164));
  });
});

const INVALID: { why: string; raw: string; country?: string }[] = [
  { why: 'national number, no billing country', raw: '070-123 45 67' },
  { why: 'national number, unknown billing country', raw: '070-123 45 67', country: 'XX' },
  { why: 'fewer than 7 digits with country code', raw: '+46 123' },
  { why: 'too short for the country', raw: '+1 650 555' },
  { why: 'more than 15 digits', raw: '+46 70 123 45 67 89 01 23' },
  { why: 'too short national', raw: '123', country: 'US' },
  { why: 'unknown country calling code', raw: '+999 1234567' },
  { why: 'letters only', raw: 'call me', country: 'SE' },
  { why: 'empty', raw: '' },
  { why: 'whitespace', raw: '   ', country: 'SE' },
];

describe('normalizePhone: unusable numbers leave both keys absent', () => {
  it.each(INVALID)('$why: $raw', ({ raw, country }) => {
    expect(normalizePhone(raw, country)).toBeUndefined();
    const user = hashUser({ phone: raw, country, email: 'a@example.com' });
    expect(user).not.toHaveProperty('phoneDigits');
    expect(user).not.toHaveProperty('phoneE164');
    expect(user.email).toBe(sha256('a@example.com'));
  });
});
