import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config.ts';
import { parseSince } from '../../src/ops/since.ts';

const base = { STRIPE_WEBHOOK_SECRET: 'whsec_ops_settings' };

describe('operations settings', () => {
  it('defaults: status off, retention 30 and 90 days', () => {
    expect(loadConfig(base).ops).toEqual({ retention: { outboxDays: 30, stripeEventDays: 90 } });
  });

  it('reads the token and the retention days', () => {
    const ops = loadConfig({ ...base, STATUS_TOKEN: 'a'.repeat(32), OUTBOX_RETENTION_DAYS: '7', STRIPE_EVENT_RETENTION_DAYS: '45' }).ops;
    expect(ops).toEqual({ statusToken: 'a'.repeat(32), retention: { outboxDays: 7, stripeEventDays: 45 } });
  });

  it('refuses a short token and non-positive days, naming the keys but never the token', () => {
    const bad = () => loadConfig({ ...base, STATUS_TOKEN: 'short-token', OUTBOX_RETENTION_DAYS: '0', STRIPE_EVENT_RETENTION_DAYS: 'x' });
    expect(bad).toThrow(ConfigError);
    try {
      bad();
    } catch (error) {
      const { problems, message } = error as ConfigError;
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['OUTBOX_RETENTION_DAYS', 'STATUS_TOKEN', 'STRIPE_EVENT_RETENTION_DAYS']);
      expect(message).not.toContain('short-token');
    }
  });
});

describe('--since', () => {
  const now = Date.parse('2026-12-05T12:00:00Z');
  it.each([
    ['7d', '2026-11-28T12:00:00.000Z'],
    ['12h', '2026-12-05T00:00:00.000Z'],
    ['90m', '2026-12-05T10:30:00.000Z'],
    ['2w', '2026-11-21T12:00:00.000Z'],
    ['2026-11-01', '2026-11-01T00:00:00.000Z'],
    ['2026-11-01T08:30:00Z', '2026-11-01T08:30:00.000Z'],
    ['2026-11-01T08:30:00+02:00', '2026-11-01T06:30:00.000Z'],
  ])('%s', (text, iso) => {
    expect((parseSince(text, now) as Date).toISOString()).toBe(iso);
  });

  it.each(['yesterday', '7 days', '2026-13-45', '', '-3d'])('refuses %j', (text) => {
    expect(parseSince(text, now)).toEqual({ error: expect.stringContaining('--since') });
  });
});
