import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../scripts/build.ts';
import { startLocalServices, type LocalServices } from '../support/local-services.ts';
import { hasPostgres } from '../support/pg.ts';
import { eventBody, loadEvent, withChanges } from '../support/stripe-sign.ts';

/**
 * The README's Netlify CLI path, run with the real CLI: NETLIFY_CLI names its binary (`npm run
 * test:netlify` in .ci/run installs it into a temporary prefix). A project laid out as a clone after
 * `npm run build`: netlify.toml, dist/functions and a .env with a database and a secret of its own.
 */
const CLI = process.env.NETLIFY_CLI;
const ROOT = process.cwd();
const SECRET = 'whsec_test_secret_for_the_netlify_cli';
const run = promisify(execFile);

const modes = [
  { mode: 'functions:serve', args: ['functions:serve', '--offline'] },
  { mode: 'dev', args: ['dev', '--offline', '--internal-disable-edge-functions', '--no-open'] },
];

describe.skipIf(!CLI || !hasPostgres).each(modes)('netlify $mode', ({ args }) => {
  let dir: string;
  let services: LocalServices;
  let server: ChildProcess;
  let log = '';
  let port: number;

  const cli = (...more: string[]) => run(CLI!, more, { cwd: dir, env: cliEnv(dir), timeout: 60_000 });

  beforeAll(async () => {
    // Outside this checkout: inside it, the CLI would take the git root for the project and serve
    // its dist/functions and .env instead. The bundles import nothing from node_modules.
    dir = await mkdtemp(path.join(tmpdir(), 'netlify-cli-test-'));
    await buildFunctions(path.join(dir, 'dist/functions'));
    await copyFile('netlify.toml', path.join(dir, 'netlify.toml'));
    await mkdir(path.join(dir, 'public'));
    services = await startLocalServices(SECRET);
    await writeFile(path.join(dir, '.env'), Object.entries(services.env).map(([k, v]) => `${k}=${v}`).join('\n'));
    port = await freePort();
    // Telemetry is a setting in the CLI's own config folder (this test's, see cliEnv), not a variable.
    await cli('--telemetry-disable');
    server = spawn(CLI!, [...args, '--port', String(port)], { cwd: dir, env: cliEnv(dir), detached: true });
    server.stdout!.on('data', (d: Buffer) => (log += d));
    server.stderr!.on('data', (d: Buffer) => (log += d));
    await until(() => /Local dev server ready/.test(log), 60_000, () => `the CLI did not get ready:\n${log}`);
  }, 120_000);
  afterAll(async () => {
    if (server?.pid) await stop(server);
    await services?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('takes a replayed event, and functions:invoke runs the drain, whose report is in the log', async () => {
    expect(log).toMatch(/Injected \.env file env vars: .*STRIPE_WEBHOOK_SECRET/);
    // A fresh event (the platforms refuse conversions older than 7 days), replayed as the README says.
    const now = Math.floor(Date.now() / 1000);
    const event = withChanges(loadEvent('checkout.session.completed.payment.usd.paid'), { created: now, data: { object: { created: now } } }, { newId: true });
    await writeFile(path.join(dir, 'event.json'), eventBody(event));
    services.tiktok.respondWith({ status: 503, body: 'unavailable' });
    services.meta.respondWith({ status: 503, body: 'unavailable' });
    const url = `http://localhost:${port}/.netlify/functions/stripe-webhook`;
    const replay = await run(process.execPath, ['--import', import.meta.resolve('tsx'), path.join(ROOT, 'scripts/replay.ts'), 'event.json', '--url', url], {
      cwd: dir,
      env: cliEnv(dir),
    });
    expect(replay.stdout).toContain('200 OK\n{"received":true,"outcome":"processed","purchase_status":"paid"}');

    const { sql } = services.tdb;
    const retrying = async () => (await sql`select count(*)::int as n from conversion_outbox where status = 'pending' and attempts = 1`)[0]!.n;
    await expect.poll(retrying, { timeout: 20_000 }).toBe(2);
    await sql`update conversion_outbox set next_attempt_at = now()`;

    const invoke = await cli('functions:invoke', 'conversions-drain', '--port', String(port), '--offline', '--no-identity');
    // The CLI discards a scheduled function's answer: its report is the function's log line.
    expect(invoke.stdout.trim()).toBe('');
    await expect.poll(() => log, { timeout: 20_000 }).toMatch(/"msg":"conversions delivered","claimed":2,"stale":0,"delivered":2/);
    expect(await sql`select destination, status from conversion_outbox order by destination`).toEqual([
      { destination: 'meta', status: 'delivered' },
      { destination: 'tiktok', status: 'delivered' },
    ]);
  }, 90_000);
});

/** Ends the CLI and what it started (its process group), leaving nothing behind when the test ends. */
async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 10_000))]);
  if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, 'SIGKILL');
}

/** A port nothing listens on now, from the OS. */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as AddressInfo;
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

async function until(ready: () => boolean, timeoutMs: number, failure: () => string): Promise<void> {
  for (const end = Date.now() + timeoutMs; !ready(); await new Promise((r) => setTimeout(r, 250))) {
    if (Date.now() > end) throw new Error(failure());
  }
}

/** The CLI's environment: its own config folder, and none of this run's settings (they come from .env). */
function cliEnv(dir: string): NodeJS.ProcessEnv {
  return { PATH: process.env.PATH, HOME: process.env.HOME, XDG_CONFIG_HOME: path.join(dir, '.config'), NODE_OPTIONS: '' };
}
