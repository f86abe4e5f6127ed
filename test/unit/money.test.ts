import { describe, expect, it } from 'vitest';
import { currencyExponent, minorToMajor } from '../../src/stripe/money.ts';

describe('minorToMajor', () => {
  it.each([
    [4900, 'usd', 49],
    [1099, 'EUR', 10.99],
    [1, 'usd', 0.01],
    [5000, 'jpy', 5000],
    [5000, 'KRW', 5000],
    [5120, 'kwd', 5.12],
    [12345, 'bhd', 12.345],
    [500, 'isk', 5],
    [1045, 'huf', 10.45],
    [999, 'twd', 9.99],
    [999_999_999_999, 'idr', 9_999_999_999.99],
    [0, 'usd', 0],
  ])('%i %s → %d', (amount, currency, expected) => {
    expect(minorToMajor(amount, currency)).toBe(expected);
  });

  it('treats UGX as two-decimal, as Stripe asks for a ×100 amount (pinned until a live check)', () => {
    expect(currencyExponent('UGX')).toBe(2);
    expect(minorToMajor(500, 'ugx')).toBe(5);
  });

  it('refuses fractional or unsafe amounts instead of guessing', () => {
    expect(() => minorToMajor(10.5, 'usd')).toThrow(RangeError);
    expect(() => minorToMajor(2 ** 60, 'usd')).toThrow(RangeError);
  });
});
