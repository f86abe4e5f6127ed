import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const FIXTURE = 'test/fixtures/stripe/checkout.session.completed.payment.usd.paid.json';

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/**
 * `npm start` as a user runs it: a fresh data directory, no settings at all, the embedded database,
 * then `npm run replay` against it. Settings come only from this environment, never a local .env.
 */
describe('local server (npm start) with replay', () => {
  let server: ChildProcess;
  let dataDir: string;
  let env: NodeJS.ProcessEnv;
  let output = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'local-server-'));
    const port = await freePort();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, PORT: String(port), DATA_DIR: dataDir };
    server = spawn(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    server.stdout!.on('data', (d: Buffer) => (output += d.toString()));
    server.stderr!.on('data', (d: Buffer) => (output += d.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`server did not start:\n${output}`)), 45_000);
      server.stdout!.on('data', () => output.includes('npm run replay') && (clearTimeout(timer), resolve()));
      server.once('exit', (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
    });
  }, 60_000);

  afterAll(async () => {
    server?.kill('SIGTERM');
    await new Promise((resolve) => server?.once('exit', resolve));
    await rm(dataDir, { recursive: true, force: true });
  });

  const replay = (...args: string[]) => run(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', ...args], { env });

  it('prints how to send a test event and answers a replayed fixture end to end', async () => {
    expect(output).toContain('embedded database');
    // Every function is listed with its address, so a new user finds all five.
    for (const name of ['stripe-webhook', 'conversions-drain', 'create-checkout-session', 'track', 'tracking-status']) {
      expect(output).toMatch(new RegExp(`^${name} +(POST|GET) +http://localhost:\\d+/\\.netlify/functions/${name}\\b`, 'm'));
    }
    const first = await replay(FIXTURE);
    expect(first.stdout).toContain('200 OK');
    expect(JSON.parse(first.stdout.split('\n')[1]!)).toEqual({ received: true, outcome: 'processed', purchase_status: 'paid' });

    const again = await replay(FIXTURE);
    expect(JSON.parse(again.stdout.split('\n')[1]!)).toEqual({ received: true, outcome: 'duplicate' });

    const fresh = await replay(FIXTURE, '--fresh-id');
    expect(JSON.parse(fresh.stdout.split('\n')[1]!)).toMatchObject({ outcome: 'processed' });
  });

  it('logs the dry-run payload for destinations without tokens, with nothing about the person in it', async () => {
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output).toContain('dry-run: destination is off');
    expect(output).toContain('\\"event\\":\\"CompletePayment\\"');
    const metadata = JSON.parse(readFileSync(FIXTURE, 'utf8')).data.object.metadata as Record<string, string>;
    for (const value of ['zoe.angstrom@example.com', metadata.client_ip_address!, metadata.ttclid!, metadata.fbp!, sha('zoe.angstrom@example.com')]) {
      expect(output).not.toContain(value);
    }
  });

  it('refuses a second process on the same embedded database, with a plain message', async () => {
    const drain = await run(process.execPath, ['--import', 'tsx', 'scripts/drain.ts'], { env }).catch((error: { code: number; stderr: string }) => error);
    expect(drain).toMatchObject({ code: 2, stderr: expect.stringMatching(/is open in process \d+/) });
  });

  it('refuses a port already in use, with a plain message', async () => {
    const other = await mkdtemp(path.join(tmpdir(), 'local-server-port-'));
    const second = await run(process.execPath, ['--import', 'tsx', 'scripts/serve.ts'], { env: { ...env, DATA_DIR: other } })
      .catch((error: { code: number; stderr: string }) => error);
    await rm(other, { recursive: true, force: true });
    expect(second).toMatchObject({ code: 2 });
    expect((second as { stderr: string }).stderr.trim()).toBe(`port ${env.PORT} is already in use (another npm start or netlify dev?): stop it, or set PORT`);
  }, 60_000);

  it('runs the drain on POST and serves 404 for unknown functions', async () => {
    const base = `http://127.0.0.1:${env.PORT}/.netlify/functions`;
    const drain = await fetch(`${base}/conversions-drain`, { method: 'POST' });
    expect(drain.status).toBe(200);
    expect(await drain.json()).toMatchObject({ claimed: expect.any(Number) });
    expect((await fetch(`${base}/conversions-drain`)).status).toBe(405);
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });

  it('serves public/tracking.js and the track function on the embedded database, logging nothing about the person', async () => {
    const site = `http://127.0.0.1:${env.PORT}`;
    const module = await fetch(`${site}/tracking.js`);
    expect(module.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await module.text()).toContain('export function track(');
    const posted = await fetch(`${site}/.netlify/functions/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'LocalTest/1' },
      body: JSON.stringify({ event_name: 'Lead', event_id: 'local-lead-1', user_data: { email: 'lena.local@example.com' } }),
    });
    expect(posted.status).toBe(202);
    expect(await posted.json()).toEqual({ accepted: 1 });
    // A page served here posts with its own origin, as a browser does: no URL or ALLOWED_ORIGINS needed.
    const fromPage = await fetch(`${site}/.netlify/functions/track`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: site },
      body: JSON.stringify({ event_name: 'ViewContent', event_id: 'local-view-1' }),
    });
    expect(fromPage.status).toBe(202);
    expect(fromPage.headers.get('access-control-allow-origin')).toBe(site);
    const status = await fetch(`${site}/.netlify/functions/track`);
    expect(await status.json()).toEqual({ ok: true, destinations: { tiktok: 'off', meta: 'off' } });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(output).toContain('\\"event_id\\":\\"local-lead-1\\"');
    for (const value of ['lena.local@example.com', sha('lena.local@example.com'), 'LocalTest/1']) expect(output).not.toContain(value);
  });

  it('rejects a replay signed with another secret', async () => {
    await expect(replay(FIXTURE)).resolves.toBeDefined();
    const bad = await run(process.execPath, ['--import', 'tsx', 'scripts/replay.ts', FIXTURE], {
      env: { ...env, STRIPE_WEBHOOK_SECRET: 'whsec_test_not_the_server_secret' },
    }).catch((error: { stdout: string }) => error);
    expect((bad as { stdout: string }).stdout).toContain('400');
  });
});
