import { describe, expect, it } from 'vitest';
import { meta } from '../../../src/destinations/meta/index.ts';
import type { Classification } from '../../../src/destinations/types.ts';

const TRACE = 'AbCdEfGhIjK_trace';
const graphError = (error: Record<string, unknown>) =>
  JSON.stringify({ error: { type: 'OAuthException', fbtrace_id: TRACE, ...error } });
const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body>Bad Gateway</body></html>';

// Real shapes: Ads Pixel Events reference (success), Graph "Handling Errors" envelope, RudderStack
// facebook_pixel network fixtures (2804003, 2804009), the issues listed in the reference §6.
const table: Array<[string, number, string, number, Classification]> = [
  ['events_received equals sent', 200, JSON.stringify({ events_received: 1, messages: [], fbtrace_id: TRACE }), 1,
    { outcome: 'delivered', traceId: TRACE }],
  ['events_received differs from sent', 200, JSON.stringify({ events_received: 1, messages: [], fbtrace_id: TRACE }), 2,
    { outcome: 'retryable', reason: 'Meta received 1 of 2 events', traceId: TRACE }],
  ['100/2804003 event too old', 400, graphError({
    message: 'Invalid parameter', code: 100, error_subcode: 2804003, is_transient: false,
    error_user_title: 'Event Timestamp Too Old',
    error_user_msg: 'The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when they occurred.',
  }), 1, {
    outcome: 'permanent',
    reason: 'The timestamp for this event is too far in the past. Events need to be sent from your server within 7 days of when they occurred.',
    platformCode: '100/2804003', traceId: TRACE,
  }],
  ['100/2804009 missing value', 400, graphError({
    message: 'Invalid parameter', code: 100, error_subcode: 2804009, is_transient: false,
    error_user_title: 'Missing Value for Purchase Event', error_user_msg: 'Purchase events must include a value parameter.',
  }), 1, { outcome: 'permanent', reason: 'Purchase events must include a value parameter.', platformCode: '100/2804009', traceId: TRACE }],
  ['100 without user message', 400, graphError({ message: '(#100) Invalid parameter', code: 100 }), 1,
    { outcome: 'permanent', reason: '(#100) Invalid parameter', platformCode: '100', traceId: TRACE }],
  ['100/33 unknown pixel', 400, graphError({
    message: "Unsupported post request. Object with ID '1234567890' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
    code: 100, error_subcode: 33,
  }), 1, {
    outcome: 'permanent',
    reason: "Unsupported post request. Object with ID '1234567890' does not exist, cannot be loaded due to missing permissions, or does not support this operation.",
    platformCode: '100/33', traceId: TRACE,
  }],
  ['190/463 token expired', 400, graphError({
    message: 'Error validating access token: Session has expired on Sunday, 01-Nov-26 10:00:00 PST.', code: 190, error_subcode: 463,
  }), 1, { outcome: 'auth', reason: 'Error validating access token: Session has expired on Sunday, 01-Nov-26 10:00:00 PST.', platformCode: '190/463', traceId: TRACE }],
  ['190 invalid token', 401, graphError({ message: 'Invalid OAuth access token - Cannot parse access token', code: 190 }), 1,
    { outcome: 'auth', reason: 'Invalid OAuth access token - Cannot parse access token', platformCode: '190', traceId: TRACE }],
  ['10 permission', 403, graphError({ message: '(#10) Application does not have permission for this action', code: 10 }), 1,
    { outcome: 'auth', reason: '(#10) Application does not have permission for this action', platformCode: '10', traceId: TRACE }],
  ['200 permission', 403, graphError({ message: '(#200) Permissions error', code: 200 }), 1,
    { outcome: 'auth', reason: '(#200) Permissions error', platformCode: '200', traceId: TRACE }],
  ['4 app rate limit', 400, graphError({ message: '(#4) Application request limit reached', code: 4, is_transient: true }), 1,
    { outcome: 'retryable', reason: '(#4) Application request limit reached', platformCode: '4', traceId: TRACE, retryAfterSeconds: 300 }],
  ['17 user rate limit', 400, graphError({ message: '(#17) User request limit reached', code: 17, error_subcode: 2446079 }), 1,
    { outcome: 'retryable', reason: '(#17) User request limit reached', platformCode: '17/2446079', traceId: TRACE, retryAfterSeconds: 300 }],
  ['613 ad-account rate limit', 400, graphError({ message: '(#613) Calls to this api have exceeded the rate limit.', code: 613, error_subcode: 1487742 }), 1,
    { outcome: 'retryable', reason: '(#613) Calls to this api have exceeded the rate limit.', platformCode: '613/1487742', traceId: TRACE, retryAfterSeconds: 300 }],
  ['80003 business-use-case throttle', 400, graphError({ message: 'There have been too many calls to this ad-account.', code: 80003 }), 1,
    { outcome: 'retryable', reason: 'There have been too many calls to this ad-account.', platformCode: '80003', traceId: TRACE, retryAfterSeconds: 300 }],
  ['1 unknown error', 500, graphError({ message: 'An unknown error occurred', code: 1, error_subcode: 99 }), 1,
    { outcome: 'retryable', reason: 'An unknown error occurred', platformCode: '1/99', traceId: TRACE }],
  ['2 service unavailable', 400, graphError({ message: 'An unexpected error has occurred. Please retry your request later.', code: 2, is_transient: true }), 1,
    { outcome: 'retryable', reason: 'An unexpected error has occurred. Please retry your request later.', platformCode: '2', traceId: TRACE }],
  ['21009 data set not ready', 400, graphError({ message: 'The data set upload is temporarily not ready.', code: 21009 }), 1,
    { outcome: 'retryable', reason: 'The data set upload is temporarily not ready.', platformCode: '21009', traceId: TRACE }],
  ['is_transient on another code', 400, graphError({ message: 'Temporary problem', code: 100, is_transient: true }), 1,
    { outcome: 'retryable', reason: 'Temporary problem', platformCode: '100', traceId: TRACE }],
  ['HTTP 502 HTML', 502, HTML_502, 1, { outcome: 'retryable', reason: 'HTTP 502' }],
  ['HTTP 503 empty', 503, '', 1, { outcome: 'retryable', reason: 'HTTP 503' }],
  ['HTTP 429', 429, '', 1, { outcome: 'retryable', reason: 'HTTP 429', retryAfterSeconds: 300 }],
  ['HTTP 408', 408, '', 1, { outcome: 'retryable', reason: 'HTTP 408' }],
  ['HTTP 200 HTML', 200, '<!DOCTYPE html><html><body>Sorry, something went wrong.</body></html>', 1,
    { outcome: 'retryable', reason: 'unexpected response (HTTP 200)' }],
  ['HTTP 404 text', 404, 'Not Found', 1, { outcome: 'retryable', reason: 'unexpected response (HTTP 404)' }],
];

describe('meta.classify', () => {
  it.each(table)('%s', (_label, status, body, sent, expected) => {
    expect(meta.classify(status, body, sent)).toEqual(expected);
  });

  it('masks a token echoed in the message', () => {
    const token = `EAAB${'x'.repeat(150)}`;
    const result = meta.classify(400, graphError({ message: `Malformed access token ${token}`, code: 190 }), 1);
    expect(result.reason).toBe('Malformed access token [redacted]');
    expect(JSON.stringify(result)).not.toContain(token);
  });

  it('masks personal data a platform echoes (IP, email, phone): the reason is stored and shown by tracking-status', () => {
    const message = 'Invalid client_ip_address 203.0.113.9 or 2001:db8:0:0:0:0:0:42 for anna.berg@example.com, phone +1 650 555 1212';
    const result = meta.classify(400, graphError({ message, code: 100 }), 1);
    expect(result.reason).toBe('Invalid client_ip_address [redacted:ip] or [redacted:ip] for [redacted:email], phone [redacted:phone]');
  });
});
