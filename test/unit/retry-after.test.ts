import { describe, expect, it } from 'vitest';
import { parseRetryAfter } from '../../src/outbox/send.ts';

describe('retry-after', () => {
  const now = Date.parse('2026-12-05T08:00:00Z');
  it.each([
    ['120', 120],
    [' 7 ', 7],
    ['0', 0],
    ['Sat, 05 Dec 2026 08:01:30 GMT', 90],
    ['Sat, 05 Dec 2026 07:59:00 GMT', 0],
    ['999999', 21600],
  ])('%j → %d s', (header, seconds) => {
    expect(parseRetryAfter(header, now)).toBe(seconds);
  });
  it.each([null, '', 'soon', '-5', '1.5'])('%j is ignored', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
