import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.ts';
import { knownValues, scanText } from '../support/log-scan.ts';

/** The scan that runs over the whole suite's output can fail: it finds what it must. */
describe('log scan', () => {
  it.each([
    ['a fixture email', '{"msg":"x","to":"sam.rivera@example.com"}'],
    ['a fixture name', 'customer Lena Müller paid'],
    ['a fixture IP', 'from 203.0.113.7'],
    ['a test token', 'Access-Token: tiktok-test-token'],
    ['a webhook secret', 'whsec_test_secret_for_unit_tests_only'],
    ['a bearer token', 'authorization: Bearer abcdefgh12345'],
    ['a phone number', 'phone +46701234567'],
  ])('finds %s', (_name, line) => {
    expect(scanText(line)).not.toEqual([]);
  });

  it('passes ids, counts and loopback addresses', () => {
    expect(scanText('{"level":"info","msg":"stripe event recorded","event_id":"evt_1","outcome":"processed","duration_ms":4}\nlistening on 127.0.0.1:8888')).toEqual([]);
  });

  it('finds nothing in what the logger prints for personal fields', () => {
    const lines: string[] = [];
    const log = createLogger('debug', (line) => lines.push(line));
    const values = knownValues();
    log.info(`all of them: ${values.join(' | ')}`, { email: values[0], detail: values.join(', ') });
    const findings = scanText(lines.join('\n'));
    // Names and street lines have no shape the logger could recognise inside free text; everything
    // with a shape is gone.
    expect(findings.filter((f) => !f.kind.startsWith('personal value'))).toEqual([]);
  });
});
