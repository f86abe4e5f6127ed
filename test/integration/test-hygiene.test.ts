/**
 * The suite cleans up after itself (issue 10 §7): the global setup stops and removes the PostgreSQL
 * cluster it started, and leaves alone a server that was already answering. Run here on a port of its
 * own, so the server this run's other suites use is not involved.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import setup from '../support/global-setup.ts';
import path from 'node:path';
import { freePort, postgresBin } from '../support/pg-cluster.ts';
import { hasPostgres } from '../support/pg.ts';

const saved = { url: process.env.TEST_DATABASE_URL, port: process.env.PGPORT };

function answers(port: number): boolean {
  try {
    execFileSync(path.join(postgresBin(), 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasPostgres || process.getuid?.() !== 0)('test hygiene: the global setup', () => {
  let port: number;
  beforeEach(async () => {
    port = await freePort();
    delete process.env.TEST_DATABASE_URL;
    process.env.PGPORT = String(port);
  });
  afterEach(() => {
    execFileSync('bash', ['scripts/pg-test-cluster.sh', 'destroy'], { stdio: 'ignore' });
    process.env.TEST_DATABASE_URL = saved.url;
    if (saved.port === undefined) delete process.env.PGPORT;
    else process.env.PGPORT = saved.port;
  });

  it('stops and removes the cluster it started', async () => {
    const teardown = await setup();
    expect(process.env.TEST_DATABASE_URL).toBe(`postgres://postgres@127.0.0.1:${port}/postgres`);
    expect(answers(port)).toBe(true);
    expect(teardown).toBeTypeOf('function');
    teardown!();
    expect(answers(port)).toBe(false);
    expect(existsSync(`/tmp/stripe-conversions-pg-${port}`)).toBe(false);
  });

  it('leaves running a server that was answering before, and one given as TEST_DATABASE_URL', async () => {
    execFileSync('bash', ['scripts/pg-test-cluster.sh'], { stdio: 'ignore' });
    expect(await setup()).toBeUndefined();
    expect(answers(port)).toBe(true);
    process.env.TEST_DATABASE_URL = `postgres://postgres@127.0.0.1:${port}/postgres`;
    expect(await setup()).toBeUndefined();
    expect(answers(port)).toBe(true);
  });
});
