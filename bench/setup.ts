/**
 * The benchmark's PostgreSQL server: TEST_DATABASE_URL when given, else the throwaway local cluster of
 * scripts/pg-test-cluster.sh (the same one the tests use). A cluster this run had to start is stopped
 * again at the end; one that was already running is left as found. Each benchmark makes and drops
 * its own database on it (test/support/pg.ts freshDatabase).
 */
import { execFileSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { connect } from 'node:net';
import postgres from 'postgres';

const CLUSTER_PORT = Number(process.env.PGPORT ?? 54329);

export interface Server {
  url: string;
  stop(): void;
}

export async function ensurePostgres(): Promise<Server> {
  const given = process.env.TEST_DATABASE_URL;
  if (given) return { url: given, stop: () => {} };
  const wasRunning = await listening('127.0.0.1', CLUSTER_PORT);
  const out = execFileSync('bash', ['scripts/pg-test-cluster.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const url = out.trim().split('\n').pop() ?? '';
  // test/support/pg.ts reads it when first imported: set before the benchmarks are loaded.
  process.env.TEST_DATABASE_URL = url;
  return {
    url,
    stop: () => {
      if (!wasRunning) execFileSync('bash', ['scripts/pg-test-cluster.sh', 'stop'], { stdio: 'ignore' });
    },
  };
}

function listening(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  });
}

export interface Machine {
  cpu: string;
  cores: number;
  memoryGiB: number;
  node: string;
  os: string;
  postgres: string;
}

export async function machineInfo(url: string): Promise<Machine> {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    const [row] = await sql`show server_version`;
    const list = cpus();
    return {
      cpu: list[0]?.model.trim() ?? 'unknown',
      cores: list.length,
      memoryGiB: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
      node: process.version,
      os: `${process.platform} ${process.arch}`,
      postgres: String(row?.server_version ?? 'unknown'),
    };
  } finally {
    await sql.end();
  }
}
