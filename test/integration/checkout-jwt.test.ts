/**
 * Supabase access tokens as create-checkout-session verifies them: against the project's JWKS served
 * over loopback, or the legacy HS256 secret. Only a valid token passes; a JWKS outage is not a bad
 * token (503, not 401).
 */
import { generateKeyPair } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, type TokenVerifier } from '../../src/checkout/jwt.ts';
import { signHs256, startFakeSupabaseAuth, TEST_USER_ID, type FakeSupabaseAuth } from '../support/fake-supabase-auth.ts';

const SECRET = 'super-secret-jwt-token-with-at-least-32-characters-long';
const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

let auth: FakeSupabaseAuth;
let verify: TokenVerifier;
beforeAll(async () => {
  auth = await startFakeSupabaseAuth();
  verify = createTokenVerifier({ supabaseUrl: auth.baseUrl }, 2000);
});
afterAll(() => auth?.close());

describe('asymmetric keys (JWKS)', () => {
  it('accepts a valid token and reads the user id and email; the keys are fetched once', async () => {
    const before = auth.jwksFetches;
    expect(await verify(await auth.sign())).toEqual({ ok: true, user: { id: TEST_USER_ID, email: 'buyer@example.com' } });
    expect(await verify(await auth.sign({ email: undefined }))).toEqual({ ok: true, user: { id: TEST_USER_ID } });
    expect(auth.jwksFetches - before).toBeLessThanOrEqual(1);
  });

  it('refuses expired, wrong audience, wrong issuer, wrong key, alg none, tampered payload', async () => {
    const other = await generateKeyPair('ES256');
    const valid = await auth.sign();
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const cases: Record<string, string> = {
      expired: await auth.sign({}, { expiresInSeconds: -120 }),
      'audience anon': await auth.sign({ aud: 'anon' }),
      'another issuer': await auth.sign({ iss: 'https://other.supabase.co/auth/v1' }),
      'wrong key, same kid': await auth.sign({}, { key: other.privateKey }),
      'unknown kid': await auth.sign({}, { key: other.privateKey, kid: 'not-published' }),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'tampered payload': `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`,
      'HS256 while only the JWKS is configured': await signHs256(SECRET, { iss: `${auth.baseUrl}/auth/v1` }),
      'no subject': await auth.sign({ sub: undefined }),
      garbage: 'not.a.jwt',
    };
    for (const [name, token] of Object.entries(cases)) {
      expect(await verify(token), name).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('a JWKS that cannot be read is 503, never a pass', async () => {
    const fresh = createTokenVerifier({ supabaseUrl: auth.baseUrl }, 2000);
    auth.failWith(500);
    try {
      expect(await fresh(await auth.sign())).toMatchObject({ ok: false, status: 503 });
    } finally {
      auth.failWith(undefined);
    }
    expect(await fresh(await auth.sign())).toMatchObject({ ok: true });
  });
});

describe('legacy HS256 secret', () => {
  const hs = createTokenVerifier({ secret: SECRET }, 2000);

  it('accepts a valid token', async () => {
    expect(await hs(await signHs256(SECRET, { email: 'a@example.com' }))).toEqual({ ok: true, user: { id: TEST_USER_ID, email: 'a@example.com' } });
  });

  it('refuses expired, wrong audience, wrong secret, alg none, tampered payload', async () => {
    const valid = await signHs256(SECRET);
    const [header, payload, signature] = valid.split('.');
    const claims = JSON.parse(Buffer.from(payload!, 'base64url').toString());
    const cases: Record<string, string> = {
      expired: await signHs256(SECRET, {}, -120),
      'audience anon': await signHs256(SECRET, { aud: 'anon' }),
      'wrong secret': await signHs256('another-secret-of-at-least-32-characters!!'),
      'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`,
      'tampered payload': `${header}.${b64({ ...claims, sub: 'someone-else' })}.${signature}`,
    };
    for (const [name, token] of Object.entries(cases)) {
      expect(await hs(token), name).toMatchObject({ ok: false, status: 401 });
    }
  });

  it('checks the issuer too when SUPABASE_URL is set', async () => {
    const both = createTokenVerifier({ secret: SECRET, supabaseUrl: 'https://abc.supabase.co' }, 2000);
    expect(await both(await signHs256(SECRET, { iss: 'https://abc.supabase.co/auth/v1' }))).toMatchObject({ ok: true });
    expect(await both(await signHs256(SECRET, { iss: 'https://evil.supabase.co/auth/v1' }))).toMatchObject({ ok: false, status: 401 });
    expect(await both(await signHs256(SECRET))).toMatchObject({ ok: false, status: 401 });
  });
});

it('without a secret or SUPABASE_URL every token is refused', async () => {
  const none = createTokenVerifier({}, 2000);
  expect(await none(await signHs256(SECRET))).toMatchObject({ ok: false, status: 401 });
});
