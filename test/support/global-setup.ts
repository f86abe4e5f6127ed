import { execFileSync } from 'node:child_process';

/**
 * Provides a real PostgreSQL server to the suites that need one, as TEST_DATABASE_URL: the one given,
 * or a throwaway local cluster (installed from Debian's packages when missing). Under CI it is
 * required; elsewhere, without PostgreSQL, those suites are skipped with a notice.
 */
export default function setup(): void {
  if (process.env.TEST_DATABASE_URL) return;
  try {
    const url = execFileSync('bash', ['scripts/pg-test-cluster.sh'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
    process.env.TEST_DATABASE_URL = url.split('\n').pop();
  } catch (error) {
    if (process.env.CI) throw new Error(`CI needs PostgreSQL for the tests: ${(error as Error).message}`);
    console.warn('\n[tests] no PostgreSQL server available: suites that need one are skipped (run scripts/pg-test-cluster.sh)\n');
  }
}
