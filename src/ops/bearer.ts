import { createHash, timingSafeEqual } from 'node:crypto';

export type BearerCheck = 'off' | 'unauthorized' | 'ok';

/**
 * `Authorization: Bearer <token>` against the configured token. Both sides are hashed first, so the
 * comparison takes the same time whatever the lengths and wherever they differ. No token configured
 * means the endpoint is off.
 */
export function checkBearer(authorization: string | null, expected: string | undefined): BearerCheck {
  if (!expected) return 'off';
  const match = /^Bearer +(\S+) *$/i.exec(authorization ?? '');
  if (!match?.[1]) return 'unauthorized';
  return timingSafeEqual(digest(match[1]), digest(expected)) ? 'ok' : 'unauthorized';
}

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
