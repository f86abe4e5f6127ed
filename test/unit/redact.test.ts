import { describe, expect, it } from 'vitest';
import { createLogger, errorText } from '../../src/log.ts';
import { redactText } from '../../src/redact.ts';

function logged(fields: Record<string, unknown>, msg = 'm'): Record<string, unknown> {
  const lines: string[] = [];
  createLogger('debug', (line) => lines.push(line)).info(msg, fields as never);
  return JSON.parse(lines[0]!) as Record<string, unknown>;
}

describe('log redaction', () => {
  it.each([
    ['email', 'jenny.rosen@example.com'],
    ['customer_email', 'jenny.rosen@example.com'],
    ['phone', '+1 555 010 0199'],
    ['name', 'Jenny Rosen'],
    ['address', '1 Main St'],
    ['client_ip_address', '203.0.113.9'],
    ['client_user_agent', 'Mozilla/5.0'],
    ['access_token', 'abc'],
    ['META_ACCESS_TOKEN', 'abc'],
    ['webhookSecret', 'whsec_x'],
    ['authorization', 'Bearer abc'],
    ['fbp', 'fb.1.1.1'],
  ])('replaces the whole %s field', (key, value) => {
    expect(logged({ [key]: value })[key]).toBe('[redacted]');
  });

  it.each([
    ['an email', 'mail to jenny.rosen@example.com failed', 'mail to [redacted:email] failed'],
    ['an E.164 phone', 'phone +15550100199 rejected', 'phone [redacted:phone] rejected'],
    ['a formatted phone', 'call (555) 010-0199 now', 'call [redacted:phone] now'],
    ['an IPv4 address', 'from 203.0.113.9 via proxy', 'from [redacted:ip] via proxy'],
    ['a compressed IPv6 address', 'from 2001:db8::42 and fe80::1 via ::1', 'from [redacted:ip] and [redacted:ip] via [redacted:ip]'],
    ['a bearer token', 'sent Authorization: Bearer eyJhbGciOi.abc', 'sent Authorization: Bearer [redacted]'],
    ['a webhook secret', 'secret whsec_abcDEF123 rejected', 'secret [redacted:secret] rejected'],
    ['a Stripe key', 'key sk_live_51Habc is wrong', 'key [redacted:secret] is wrong'],
    ['a JWT', 'jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl here', 'jwt [redacted:jwt] here'],
    ['a token in a URL', 'GET /x?access_token=EAAB123&y=1', 'GET /x?access_token=[redacted]&y=1'],
    ['a SHA-256 hash', `em ${'a'.repeat(64)}`, 'em [redacted:hash]'],
  ])('scans values for %s', (_name, input, output) => {
    expect(redactText(input)).toBe(output);
    expect(logged({ detail: input }).detail).toBe(output);
    expect(logged({}, input).msg).toBe(output);
  });

  it('keeps ids, counts, event names, times and platform answers', () => {
    const fields = {
      event_id: 'evt_1zfC4Yy0RxFx7Qa2azhvPfvN', session: 'cs_test_a12FllElh4Bib', outcome: 'processed', duration_ms: 12,
      trace_id: 'AbCdEfGhIjK', request_id: '20261101000000FAKE000001', event_ids: ['cs_1', 'cs_2'], at: '2026-12-05T07:09:40.123Z',
      reason: 'HTTP 400: (#100) Invalid parameter', api_version: '2026-10-28.endive', pinned: 'v26.0', status: 503,
    };
    expect(logged(fields)).toMatchObject(fields);
  });

  it('errorText is redacted too, as it also lands on rows', () => {
    expect(errorText(new Error('connect to 10.0.0.7 as jenny@example.com failed'))).toBe('Error: connect to [redacted:ip] as [redacted:email] failed');
  });
});
