import { describe, expect, it } from 'vitest';
import Stripe from 'stripe';
import { SignatureError, signStripePayload, verifyStripeSignature } from '../../src/stripe/signature.ts';

const SECRET = 'whsec_test_secret_for_unit_tests_only';
const OTHER = 'whsec_test_other_secret_for_unit_tests';
const NOW = 1_795_420_862;
const body = JSON.stringify({ id: 'evt_1', object: 'event', data: { object: { name: 'Zoë Ångström 山田 €' } } });

/** Stripe's own implementation signs; ours verifies: the two must agree. */
const stripeHeader = (payload: string, secret: string, timestamp = NOW) =>
  Stripe.webhooks.generateTestHeaderString({ payload, secret, timestamp });

const reasonOf = (fn: () => void): string => {
  try {
    fn();
  } catch (error) {
    if (error instanceof SignatureError) return error.reason;
    throw error;
  }
  return 'accepted';
};

describe('verifyStripeSignature', () => {
  const verify = (payload: string, header: string | null, secrets = [SECRET], nowSeconds = NOW) =>
    reasonOf(() => verifyStripeSignature(payload, header, secrets, { nowSeconds }));

  it('accepts a header signed by stripe-node over the raw body, non-ASCII included', () => {
    expect(verify(body, stripeHeader(body, SECRET))).toBe('accepted');
  });

  it('accepts our own signer (used by replay and benchmarks)', () => {
    expect(verify(body, signStripePayload(body, SECRET, NOW))).toBe('accepted');
  });

  it.each([
    ['a missing header', null, 'missing_header'],
    ['an empty header', '', 'missing_header'],
    ['garbage', 'garbage', 'malformed_header'],
    ['no v1 signature', `t=${NOW},v0=${'a'.repeat(64)}`, 'malformed_header'],
    ['no timestamp', `v1=${'a'.repeat(64)}`, 'malformed_header'],
  ])('rejects %s', (_name, header, reason) => {
    expect(verify(body, header)).toBe(reason);
  });

  it('rejects a re-serialised body', () => {
    const reserialised = JSON.stringify(JSON.parse(body), null, 2);
    expect(verify(reserialised, stripeHeader(body, SECRET))).toBe('no_matching_signature');
  });

  it('rejects a body decoded with the wrong charset', () => {
    const latin1 = Buffer.from(body, 'utf8').toString('latin1');
    expect(verify(latin1, stripeHeader(body, SECRET))).toBe('no_matching_signature');
  });

  it('rejects the wrong secret', () => {
    expect(verify(body, stripeHeader(body, OTHER))).toBe('no_matching_signature');
  });

  it('rejects a timestamp 301 s old and one 301 s in the future', () => {
    expect(verify(body, stripeHeader(body, SECRET, NOW - 301))).toBe('timestamp_outside_tolerance');
    expect(verify(body, stripeHeader(body, SECRET, NOW + 301))).toBe('timestamp_outside_tolerance');
    expect(verify(body, stripeHeader(body, SECRET, NOW - 300))).toBe('accepted');
  });

  it('passes a secret roll: two v1 values where only the second matches', () => {
    const good = stripeHeader(body, SECRET).split(',').find((p) => p.startsWith('v1='));
    const header = `t=${NOW},v1=${'0'.repeat(64)},${good},v0=${'1'.repeat(64)}`;
    expect(verify(body, header)).toBe('accepted');
  });

  it('accepts any of several configured secrets', () => {
    expect(verify(body, stripeHeader(body, OTHER), [SECRET, OTHER])).toBe('accepted');
  });

  it('ignores a valid-looking v0 signature (no downgrade)', () => {
    const v1 = stripeHeader(body, SECRET).split(',').find((p) => p.startsWith('v1='))!.slice(3);
    expect(verify(body, `t=${NOW},v0=${v1}`)).toBe('malformed_header');
  });

  it('never runs with a tolerance of 0 or without a secret', () => {
    const header = stripeHeader(body, SECRET);
    expect(() => verifyStripeSignature(body, header, [SECRET], { nowSeconds: NOW, toleranceSeconds: 0 })).toThrow(RangeError);
    expect(() => verifyStripeSignature(body, header, [], { nowSeconds: NOW })).toThrow(RangeError);
  });
});
