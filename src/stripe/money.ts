/**
 * Stripe amounts are integers in the currency's minor unit, with Stripe's own exponents — which
 * differ from CLDR/Intl for HUF, ISK, UGX, IDR and COP, so Intl.NumberFormat must not be used.
 */
const ZERO_DECIMAL = new Set([
  'BIF', 'CLP', 'DJF', 'GNF', 'JPY', 'KMF', 'KRW', 'MGA', 'PYG', 'RWF', 'VND', 'VUV', 'XAF', 'XOF', 'XPF',
]);
const THREE_DECIMAL = new Set(['BHD', 'JOD', 'KWD', 'OMR', 'TND']);

/**
 * Exponent 2 for everything else, including ISK and UGX: Stripe documents "to charge 5 UGX/ISK,
 * provide an amount of 500", and HUF/TWD charges, which are only zero-decimal for payouts.
 */
export function currencyExponent(currency: string): number {
  const code = currency.toUpperCase();
  if (ZERO_DECIMAL.has(code)) return 0;
  if (THREE_DECIMAL.has(code)) return 3;
  return 2;
}

/** 4900 USD → 49, 5000 JPY → 5000, 5120 KWD → 5.12. Integers below 2^53 divide exactly. */
export function minorToMajor(amount: number, currency: string): number {
  if (!Number.isSafeInteger(amount)) throw new RangeError(`amount ${amount} is not a whole number of minor units`);
  const exponent = currencyExponent(currency);
  return Number((amount / 10 ** exponent).toFixed(exponent));
}
