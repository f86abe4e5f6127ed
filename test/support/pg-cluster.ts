/**
 * A private PostgreSQL cluster for tests that stop and start their server (outage, storm): its own
 * data directory and port, so the shared test server, which other suites use at the same time, is
 * never touched. Uses the Debian binaries scripts/pg-test-cluster.sh finds (or installs).
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface PrivateCluster {
  url: string;
  port: number;
  /** `pg_ctl -m fast stop`: open sessions are ended with 57P01, new ones refused. */
  stop(): Promise<void>;
  start(): Promise<void>;
  /** Stops the server and removes its data directory. */
  destroy(): Promise<void>;
}

const asRoot = process.getuid?.() === 0;

export function postgresBin(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root) ? readdirSync(root).sort((a, b) => Number(a) - Number(b)) : [];
  let bin = versions.map((v) => path.join(root, v, 'bin')).findLast((b) => existsSync(path.join(b, 'postgres')));
  if (!bin) {
    // The shared script installs Debian's postgresql-15 when it is missing; it prints a URL we ignore.
    execFileSync('bash', ['scripts/pg-test-cluster.sh', 'stop'], { stdio: 'ignore', env: { ...process.env, PGPORT: '1' } });
    bin = readdirSync(root).map((v) => path.join(root, v, 'bin')).find((b) => existsSync(path.join(b, 'postgres')));
  }
  if (!bin) throw new Error('PostgreSQL binaries not found under /usr/lib/postgresql');
  return bin;
}

/** A port nothing listens on now (the kernel's pick). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export async function startPrivateCluster(options: { maxConnections?: number } = {}): Promise<PrivateCluster> {
  const bin = postgresBin();
  const port = await freePort();
  const dir = mkdtempSync(path.join(tmpdir(), 'stripe-conversions-private-pg-'));
  // As root the server runs as the postgres user, which must own its data directory.
  if (asRoot) chownSync(dir, ...postgresIds());
  // Asynchronous: the tests keep sending requests while the server stops and starts.
  const run = async (tool: string, args: string[]) => {
    const [file, argv] = asRoot ? ['runuser', ['-u', 'postgres', '--', path.join(bin, tool), ...args]] : [path.join(bin, tool), args];
    try {
      await promisify(execFile)(file, argv, { cwd: '/' });
    } catch (error) {
      const e = error as { stderr?: string; stdout?: string };
      throw new Error(`${tool} failed: ${e.stderr || e.stdout || String(error)}`);
    }
  };
  await run('initdb', ['-D', dir, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8']);
  const serverOptions = [
    '-c listen_addresses=127.0.0.1', `-p ${port}`, `-k ${dir}`, `-c max_connections=${options.maxConnections ?? 200}`,
    // Throwaway data: durability traded for speed.
    '-c fsync=off', '-c synchronous_commit=off', '-c full_page_writes=off',
  ].join(' ');
  const start = () => run('pg_ctl', ['-D', dir, '-w', '-t', '30', '-l', path.join(dir, 'server.log'), '-o', serverOptions, 'start']);
  const stop = () => run('pg_ctl', ['-D', dir, '-m', 'fast', '-w', '-t', '30', 'stop']);
  await start();
  let destroyed = false;
  // A test that dies half-way must not leave its server running.
  const onExit = () => {
    if (destroyed) return;
    const argv = ['-D', dir, '-m', 'immediate', 'stop'];
    try {
      if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', path.join(bin, 'pg_ctl'), ...argv], { cwd: '/', stdio: 'ignore' });
      else execFileSync(path.join(bin, 'pg_ctl'), argv, { stdio: 'ignore' });
    } catch {
      // Not running.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', onExit);
  return {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    stop,
    start,
    destroy: async () => {
      if (destroyed) return;
      destroyed = true;
      process.removeListener('exit', onExit);
      await stop().catch(() => {}); // already stopped
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function postgresIds(): [number, number] {
  const out = execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim();
  const gid = execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim();
  return [Number(out), Number(gid)];
}
