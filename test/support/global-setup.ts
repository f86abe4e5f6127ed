import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';

/**
 * Provides a real PostgreSQL server to the suites that need one, as TEST_DATABASE_URL: the one given,
 * or a throwaway local cluster (installed from Debian's packages when missing). Under CI it is
 * required; elsewhere, without PostgreSQL, those suites are skipped with a notice.
 *
 * What the run started, it stops and removes at the end. A server the user provides is left alone:
 * TEST_DATABASE_URL, or one already answering on PGPORT (start it with scripts/pg-test-cluster.sh to
 * keep it between runs).
 */
export default async function setup(): Promise<(() => void) | void> {
  if (process.env.TEST_DATABASE_URL) return;
  const port = Number(process.env.PGPORT ?? 54329);
  const wasRunning = await answering('127.0.0.1', port);
  try {
    const url = execFileSync('bash', ['scripts/pg-test-cluster.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    process.env.TEST_DATABASE_URL = url.split('\n').pop();
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs PostgreSQL for the tests: ${(error as Error).message}`);
    console.warn('\n[tests] no PostgreSQL server available: suites that need one are skipped (run scripts/pg-test-cluster.sh)\n');
    return;
  }
  if (wasRunning) return;
  return () => {
    execFileSync('bash', ['scripts/pg-test-cluster.sh', 'destroy'], { stdio: 'ignore' });
  };
}

function answering(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host, port }, () => (socket.destroy(), resolve(true)));
    socket.on('error', () => resolve(false));
    socket.setTimeout(1000, () => (socket.destroy(), resolve(false)));
  });
}
