/**
 * The suite-wide log scan. Every test worker tees its console output and the product's log lines
 * (the harness's logger) into a file per process; after the run, every line is checked for the
 * personal data of the Stripe fixtures, the secrets the tests configure, and the generic shapes of
 * emails, phones, IP addresses, keys and tokens. A finding fails the run.
 *
 * The rules here are the test's own, not src/redact.ts's: the scan must catch what redaction misses.
 */
import { appendFileSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export const LOG_CAPTURE_DIR = path.join(tmpdir(), `stripe-conversions-logs-${process.env.PGPORT ?? 'default'}`);

let captureReady = false;

export function captureLogLine(line: string): void {
  if (!captureReady) captureReady = Boolean(mkdirSync(LOG_CAPTURE_DIR, { recursive: true }) ?? true);
  appendFileSync(path.join(LOG_CAPTURE_DIR, `${process.pid}.log`), line.endsWith('\n') ? line : `${line}\n`);
}

const FIXTURE_DIR = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'fixtures', 'stripe');
const PERSONAL_KEYS = new Set(['email', 'name', 'phone', 'line1', 'line2', 'client_ip_address', 'client_user_agent', 'fbc', 'fbp', 'ttclid', 'ttp', 'fbclid']);

/** Test credentials that must never be printed (the harness's and the status tests'). */
const TEST_SECRETS = ['meta-test-token', 'tiktok-test-token', 'status-token-for-tests-0123456789', 'status-page-token-0123456789abcdef'];

function fixtureValues(): string[] {
  const values = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node && typeof node === 'object') {
      for (const [key, value] of Object.entries(node)) {
        if (PERSONAL_KEYS.has(key) && typeof value === 'string' && value.length >= 6) values.add(value);
        else walk(value);
      }
    }
  };
  for (const file of readdirSync(FIXTURE_DIR).filter((f) => f.endsWith('.json'))) {
    walk(JSON.parse(readFileSync(path.join(FIXTURE_DIR, file), 'utf8')));
  }
  return [...values];
}

const SHAPES: [string, RegExp][] = [
  ['email', /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/],
  ['webhook secret or Stripe key', /\b(whsec|sk_live|sk_test|rk_live|rk_test)_[A-Za-z0-9]/],
  ['JWT', /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\./],
  ['bearer token', /\bBearer\s+(?!\[redacted\])[A-Za-z0-9._~+/=-]{8,}/i],
  ['E.164 phone', /\+\d{8,15}\b/],
  // Loopback and wildcard addresses are this machine's sockets, not a person's.
  ['IPv4 address', /\b(?!127\.0\.0\.1\b)(?!0\.0\.0\.0\b)(?:\d{1,3}\.){3}\d{1,3}\b/],
];

export interface Finding {
  file: string;
  kind: string;
  line: string;
}

export function scanText(text: string, file = '(text)', known: string[] = knownValues()): Finding[] {
  const findings: Finding[] = [];
  for (const line of text.split('\n')) {
    if (!line) continue;
    const value = known.find((v) => line.includes(v));
    if (value) findings.push({ file, kind: `personal value or test secret "${value.slice(0, 12)}…"`, line });
    for (const [kind, pattern] of SHAPES) if (pattern.test(line)) findings.push({ file, kind, line });
  }
  return findings;
}

let cached: string[] | undefined;
export const knownValues = () => (cached ??= [...fixtureValues(), ...TEST_SECRETS]);

export function scanCapturedLogs(): { lines: number; findings: Finding[] } {
  let lines = 0;
  const findings: Finding[] = [];
  for (const file of readdirSync(LOG_CAPTURE_DIR).filter((f) => f.endsWith('.log'))) {
    const text = readFileSync(path.join(LOG_CAPTURE_DIR, file), 'utf8');
    lines += text.split('\n').length - 1;
    findings.push(...scanText(text, file));
  }
  return { lines, findings };
}
