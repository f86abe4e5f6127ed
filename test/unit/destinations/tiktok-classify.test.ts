import { describe, expect, it } from 'vitest';
import type { Classification } from '../../../src/destinations/types.ts';
import { tiktok } from '../../../src/destinations/tiktok/index.ts';

const REQUEST_ID = '2026110112000012345678901234567890';
const envelope = (code: number, message: string) => JSON.stringify({ code, message, request_id: REQUEST_ID, data: {} });
const HTML_502 = '<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>';

// Real shapes: TikTok answers HTTP 200 for business errors (RudderStack tiktok_ads network fixtures,
// tiktok-business-api-sdk tiktok_code.py).
const table: Array<[string, number, string, Classification]> = [
  ['0 OK', 200, envelope(0, 'OK'), { outcome: 'delivered', platformCode: '0', traceId: REQUEST_ID }],
  ['20001 partial', 200, envelope(20001, 'Partial success: 1 event(s) failed.'),
    { outcome: 'delivered', reason: 'Partial success: 1 event(s) failed.', platformCode: '20001', traceId: REQUEST_ID, partial: true }],
  ['40002 invalid param (HTTP 200)', 200, envelope(40002, 'Batch.0.properties.contents.0.content_id: Not a valid string'),
    { outcome: 'permanent', reason: 'Batch.0.properties.contents.0.content_id: Not a valid string', platformCode: '40002', traceId: REQUEST_ID }],
  ['40000 invalid params', 200, envelope(40000, 'Invalid params'),
    { outcome: 'permanent', reason: 'Invalid params', platformCode: '40000', traceId: REQUEST_ID }],
  ['40062 PII not hashed', 200, envelope(40062, 'PII not hashed'),
    { outcome: 'permanent', reason: 'PII not hashed', platformCode: '40062', traceId: REQUEST_ID }],
  ['40001 no permission', 200, envelope(40001, 'No permission to operate pixel code: CXXXXXXXXXXXXXXXXXXX.'),
    { outcome: 'auth', reason: 'No permission to operate pixel code: CXXXXXXXXXXXXXXXXXXX.', platformCode: '40001', traceId: REQUEST_ID }],
  ['40102 token expired', 200, envelope(40102, 'Access token expired.'),
    { outcome: 'auth', reason: 'Access token expired.', platformCode: '40102', traceId: REQUEST_ID }],
  ['40104 empty token', 200, envelope(40104, 'Access token is null.'),
    { outcome: 'auth', reason: 'Access token is null.', platformCode: '40104', traceId: REQUEST_ID }],
  ['40105 invalid token', 200, envelope(40105, 'Access token is incorrect or has been revoked.'),
    { outcome: 'auth', reason: 'Access token is incorrect or has been revoked.', platformCode: '40105', traceId: REQUEST_ID }],
  ['40100 too many requests', 200, envelope(40100, 'Too many requests. Please retry in some time.'),
    { outcome: 'retryable', reason: 'Too many requests. Please retry in some time.', platformCode: '40100', traceId: REQUEST_ID, retryAfterSeconds: 60 }],
  ['40132 frequency limited', 200, envelope(40132, 'Request frequency limited.'),
    { outcome: 'retryable', reason: 'Request frequency limited.', platformCode: '40132', traceId: REQUEST_ID, retryAfterSeconds: 60 }],
  ['61000 too many requests', 200, envelope(61000, 'Too many requests.'),
    { outcome: 'retryable', reason: 'Too many requests.', platformCode: '61000', traceId: REQUEST_ID, retryAfterSeconds: 60 }],
  ['50000 system error', 200, envelope(50000, 'System error'),
    { outcome: 'retryable', reason: 'System error', platformCode: '50000', traceId: REQUEST_ID }],
  ['50002 system timeout', 200, envelope(50002, 'System timeout'),
    { outcome: 'retryable', reason: 'System timeout', platformCode: '50002', traceId: REQUEST_ID }],
  ['51012 pixel error', 200, envelope(51012, 'Pixel error'),
    { outcome: 'retryable', reason: 'Pixel error', platformCode: '51012', traceId: REQUEST_ID }],
  ['52001 DB error', 200, envelope(52001, 'DB error'),
    { outcome: 'retryable', reason: 'DB error', platformCode: '52001', traceId: REQUEST_ID }],
  ['60001 maintenance', 200, envelope(60001, 'Maintenance'),
    { outcome: 'retryable', reason: 'Maintenance', platformCode: '60001', traceId: REQUEST_ID, retryAfterSeconds: 300 }],
  ['HTTP 502 HTML', 502, HTML_502, { outcome: 'retryable', reason: 'HTTP 502' }],
  ['HTTP 503 JSON', 503, envelope(50000, 'System error'), { outcome: 'retryable', reason: 'HTTP 503' }],
  ['HTTP 429', 429, '', { outcome: 'retryable', reason: 'HTTP 429', retryAfterSeconds: 60 }],
  ['HTTP 408', 408, '', { outcome: 'retryable', reason: 'HTTP 408' }],
  ['HTTP 200 HTML from a proxy', 200, '<!DOCTYPE html><html><body>Just a moment…</body></html>',
    { outcome: 'retryable', reason: 'unexpected response (HTTP 200)' }],
  ['HTTP 200 JSON without code', 200, '{"data":{}}', { outcome: 'retryable', reason: 'unexpected response (HTTP 200)' }],
  ['HTTP 401 without envelope', 401, 'Unauthorized', { outcome: 'auth', reason: 'HTTP 401' }],
  ['HTTP 401 with envelope', 401, envelope(40105, 'Access token is incorrect or has been revoked.'),
    { outcome: 'auth', reason: 'Access token is incorrect or has been revoked.', platformCode: '40105', traceId: REQUEST_ID }],
];

describe('tiktok.classify', () => {
  it.each(table)('%s', (_label, status, body, expected) => {
    expect(tiktok.classify(status, body, 1)).toEqual(expected);
  });

  it('masks a token or hash echoed in the message', () => {
    const token = '0123456789abcdef0123456789abcdef01234567';
    const result = tiktok.classify(200, envelope(40105, `Access token ${token} is invalid`), 1);
    expect(result.reason).toBe('Access token [redacted] is invalid');
  });
});
