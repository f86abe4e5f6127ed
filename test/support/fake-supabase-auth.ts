/**
 * Supabase Auth's signing keys, as a project publishes them, on 127.0.0.1: an ES256 key pair whose
 * public half is served at `/auth/v1/.well-known/jwks.json`, and a signer for access tokens shaped
 * like Supabase's (iss, aud, sub, email, role, exp). `baseUrl` stands in for SUPABASE_URL.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWTPayload } from 'jose';

export interface FakeSupabaseAuth {
  baseUrl: string;
  /** How many times the JWKS was fetched. */
  jwksFetches: number;
  /** A token signed with the published key (or `key`), with Supabase's claims merged with `claims`. */
  sign(claims?: JWTPayload, options?: { key?: CryptoKey; kid?: string; expiresInSeconds?: number }): Promise<string>;
  /** Answer the JWKS request with this status (undefined: the keys). */
  failWith(status: number | undefined): void;
  close(): Promise<void>;
}

export const TEST_USER_ID = '0d6b2f4e-8a1c-4e7b-9f3a-5c2d1e0b9a87';

export async function startFakeSupabaseAuth(): Promise<FakeSupabaseAuth> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const jwk = { ...(await exportJWK(publicKey)), kid: 'test-key-1', alg: 'ES256', use: 'sig' };
  let failure: number | undefined;
  const state = { jwksFetches: 0 };
  const server = createServer((req, res) => {
    if (req.url === '/auth/v1/.well-known/jwks.json') state.jwksFetches += 1;
    if (req.url !== '/auth/v1/.well-known/jwks.json' || failure) {
      res.writeHead(failure ?? 404, { 'content-type': 'application/json' }).end('{"error":"unavailable"}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'public, max-age=600' });
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  return {
    baseUrl,
    get jwksFetches() {
      return state.jwksFetches;
    },
    sign: (claims = {}, options = {}) => {
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({
        iss: `${baseUrl}/auth/v1`,
        aud: 'authenticated',
        sub: TEST_USER_ID,
        email: 'buyer@example.com',
        role: 'authenticated',
        aal: 'aal1',
        is_anonymous: false,
        iat: now,
        exp: now + (options.expiresInSeconds ?? 3600),
        ...claims,
      })
        .setProtectedHeader({ alg: 'ES256', kid: options.kid ?? jwk.kid, typ: 'JWT' })
        .sign(options.key ?? privateKey);
    },
    failWith(status) {
      failure = status;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** A legacy HS256 token, as Supabase signs it with the project's JWT secret. */
export function signHs256(secret: string, claims: JWTPayload = {}, expiresInSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ aud: 'authenticated', sub: TEST_USER_ID, role: 'authenticated', iat: now, exp: now + expiresInSeconds, ...claims })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .sign(new TextEncoder().encode(secret));
}
