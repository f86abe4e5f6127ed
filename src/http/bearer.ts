/**
 * The `Authorization` header of a request: absent, a well-formed `Bearer <token>`, or anything else
 * (another scheme, an empty token), which a caller must refuse rather than ignore.
 */
export type Bearer = { kind: 'none' } | { kind: 'token'; token: string } | { kind: 'malformed' };

/** RFC 6750 token68 characters; a JWT is three base64url parts joined by dots. */
const TOKEN = /^[A-Za-z0-9\-._~+/]+=*$/u;

export function bearerToken(req: Request): Bearer {
  const header = req.headers.get('authorization');
  if (header === null) return { kind: 'none' };
  const match = /^Bearer +(\S+) *$/iu.exec(header);
  const token = match?.[1];
  return token !== undefined && TOKEN.test(token) ? { kind: 'token', token } : { kind: 'malformed' };
}
