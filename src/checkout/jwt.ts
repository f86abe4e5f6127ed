import { createRemoteJWKSet, errors, jwtVerify, type JWTVerifyGetKey } from 'jose';

/**
 * Supabase access tokens, verified locally: signature, expiry, audience `authenticated` and, when the
 * project's URL is known, issuer `<SUPABASE_URL>/auth/v1`. Asymmetric tokens are checked against the
 * project's JWKS (fetched once, cached by jose for ten minutes, refetched for an unknown key id);
 * HS256 tokens against the legacy secret when one is set. `alg: none` never passes.
 */
export interface VerifiedUser {
  /** `sub`: the Supabase user id. */
  id: string;
  /** The account's email, to prefill Checkout for a buyer Stripe does not know yet. */
  email?: string;
}

export type TokenCheck =
  | { ok: true; user: VerifiedUser }
  /** 401: the token is not good. 503: the signing keys could not be read now. */
  | { ok: false; status: 401 | 503; reason: string };

export type TokenVerifier = (token: string) => Promise<TokenCheck>;

export interface JwtSettings {
  secret?: string;
  supabaseUrl?: string;
}

const ASYMMETRIC = ['ES256', 'RS256'];

export function createTokenVerifier(settings: JwtSettings, timeoutMs: number): TokenVerifier {
  const secret = settings.secret ? new TextEncoder().encode(settings.secret) : undefined;
  const jwks = settings.supabaseUrl
    ? createRemoteJWKSet(new URL(`${settings.supabaseUrl}/auth/v1/.well-known/jwks.json`), { timeoutDuration: timeoutMs })
    : undefined;
  const algorithms = [...(secret ? ['HS256'] : []), ...(jwks ? ASYMMETRIC : [])];
  const key: JWTVerifyGetKey = (header, token) => {
    if (header.alg === 'HS256' && secret) return secret;
    if (jwks) return jwks(header, token);
    throw new errors.JOSEAlgNotAllowed('no key for this algorithm');
  };

  return async (token) => {
    if (algorithms.length === 0) return { ok: false, status: 401, reason: 'sign-in is not configured' };
    try {
      const { payload } = await jwtVerify(token, key, {
        algorithms,
        audience: 'authenticated',
        ...(settings.supabaseUrl && { issuer: `${settings.supabaseUrl}/auth/v1` }),
        requiredClaims: ['exp', 'sub'],
      });
      const id = typeof payload.sub === 'string' ? payload.sub.trim() : '';
      if (id === '') return { ok: false, status: 401, reason: 'token without a user' };
      const email = typeof payload.email === 'string' && payload.email.includes('@') ? payload.email : undefined;
      return { ok: true, user: { id, ...(email && { email }) } };
    } catch (error) {
      if (keysUnavailable(error)) return { ok: false, status: 503, reason: 'signing keys unavailable' };
      return { ok: false, status: 401, reason: error instanceof errors.JOSEError ? error.code : 'invalid token' };
    }
  };
}

/** The JWKS endpoint timed out, refused, answered non-200 or garbage: not the token's fault. */
function keysUnavailable(error: unknown): boolean {
  if (!(error instanceof errors.JOSEError)) return true;
  return error.code === 'ERR_JWKS_TIMEOUT' || error.code === 'ERR_JWKS_INVALID' || error.code === 'ERR_JOSE_GENERIC';
}
