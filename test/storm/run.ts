/**
 * `npm run test:storm`: the suite's own storm (issue 10 §8). Several processes of the BUILT functions
 * share one real PostgreSQL (a private cluster, since it is restarted); a few thousand signed
 * deliveries of fresh paid Checkout Sessions arrive, a third of them duplicates (half at the same
 * moment to two instances); in the middle PostgreSQL restarts and one instance is SIGKILLed; TikTok and
 * Meta misbehave for the first half. Then the drain runs until nothing is due, and the outcome is
 * checked: one purchase per paid session, one outbox row per destination × event name × event_id,
 * every conversion delivered at least once. Duplicate sends are counted and printed. Exit code 0 when
 * every check holds. Only 127.0.0.1; bounded in count and time.
 *
 * Knobs: STORM_EVENTS deliveries (3000), STORM_PROCESSES (4), STORM_CONCURRENCY requests in flight
 * (24), STORM_TIMEOUT_S (300).
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import postgres from 'postgres';
import { migrate } from '../../src/db/migrations.ts';
import { postgresMigrationTarget } from '../../src/db/postgres.ts';
import { startPrivateCluster } from '../support/pg-cluster.ts';
import { createSender, planDeliveries, type Job } from './deliveries.ts';
import { startFleet } from './fleet.ts';
import { checkOutcome, drainUntilNothingDue } from './outcome.ts';
import { startStormPlatforms } from './platforms.ts';
import { printReport, type Timeline } from './report.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);

const int = (name: string, fallback: number, min = 1) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value < min) throw new Error(`${name} must be an integer ≥ ${min}`);
  return value;
};
const DELIVERIES = int('STORM_EVENTS', 3000, 30);
const PROCESSES = int('STORM_PROCESSES', 4, 2);
const CONCURRENCY = int('STORM_CONCURRENCY', 24);
const TIMEOUT_S = int('STORM_TIMEOUT_S', 300);
const SECRET = 'whsec_storm_only_secret';
const DATABASE_TIMEOUT_MS = 3000;
const DELIVERY_TIMEOUT_MS = 3000;

const watchdog = setTimeout(() => {
  console.error(`storm: exceeded ${TIMEOUT_S} s, aborting`);
  process.exit(1); // exit handlers stop the instances and the private cluster
}, TIMEOUT_S * 1000);
watchdog.unref();

const log = (msg: string) => console.error(`[storm] ${msg}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

log('npm run build');
execFileSync('npm', ['run', '--silent', 'build'], { stdio: ['ignore', 'ignore', 'inherit'] });

const cluster = await startPrivateCluster();
const sql = postgres(cluster.url, { max: 2, onnotice: () => {} });
await migrate(postgresMigrationTarget(sql));
const platforms = await startStormPlatforms(DELIVERY_TIMEOUT_MS + 500);
const env: Record<string, string> = {
  PATH: process.env.PATH ?? '',
  STRIPE_WEBHOOK_SECRET: SECRET,
  DATABASE_URL: cluster.url,
  DATABASE_TIMEOUT_MS: String(DATABASE_TIMEOUT_MS),
  DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
  TIKTOK_PIXEL_ID: 'CSTORMPIXEL000000000',
  TIKTOK_ACCESS_TOKEN: 'tiktok-test-token',
  TIKTOK_TEST_EVENT_CODE: 'TEST_STORM',
  TIKTOK_API_BASE_URL: platforms.tiktok.baseUrl,
  META_PIXEL_ID: '1234567890',
  META_ACCESS_TOKEN: 'meta-test-token',
  META_TEST_EVENT_CODE: 'TEST_STORM',
  META_API_BASE_URL: platforms.meta.baseUrl,
  LOG_LEVEL: 'error',
};

let exitCode = 1;
const fleet = await startFleet(PROCESSES, 'dist/functions', env);
try {
  const plan = planDeliveries(DELIVERIES);
  log(`${plan.deliveries} deliveries of ${plan.sessions.length} events to ${PROCESSES} instances, ${CONCURRENCY} in flight`);
  const sender = createSender(fleet, SECRET, { maxTries: 40, requestTimeoutMs: 15_000 });
  const timeline: Timeline = { started: performance.now() };
  const faults: Promise<void>[] = [];
  let next = 0;
  let done = 0;

  const restartDatabase = async () => {
    timeline.dbStopping = performance.now();
    await cluster.stop();
    timeline.dbDown = performance.now();
    await sleep(1500);
    timeline.dbStarting = performance.now();
    await cluster.start();
    timeline.dbUp = performance.now();
  };
  const killInstance = async () => {
    const victim = fleet.killOne();
    timeline.killed = { name: victim.name, at: performance.now() };
    await sleep(500);
    timeline.replacedBy = (await fleet.replace(victim)).name;
  };

  const worker = async () => {
    while (next < plan.jobs.length) {
      const job: Job = plan.jobs[next++]!;
      await sender.deliver(job);
      done += 1;
      const share = done / plan.jobs.length;
      if (share >= 0.3 && !timeline.dbStopping) faults.push(restartDatabase());
      if (share >= 0.5 && platforms.chaos) {
        platforms.chaos = false;
        timeline.platformsHealthy = performance.now();
      }
      if (share >= 0.6 && !timeline.killed) faults.push(killInstance());
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  await Promise.all(faults);
  timeline.finished = performance.now();

  log('instances finishing their after-response work');
  await fleet.stop();
  log('draining until nothing is due');
  const drainer = await startFleet(1, 'dist/functions', env);
  const drain = await drainUntilNothingDue(sql, `${drainer.next().baseUrl}/.netlify/functions/conversions-drain`).finally(() => drainer.stop());
  const outcome = await checkOutcome(sql, plan.sessions, platforms);
  const failedDeliveries = { name: 'every delivery answered 2xx in the end', ok: sender.failed.length === 0, detail: `${sender.failed.length} given up` };
  // Fail fast while PostgreSQL restarts: the bound plus room for a busy shared machine.
  const duringRestart = sender.attempts.filter((a) => a.at >= timeline.dbStopping! && a.at < timeline.dbUp!);
  const slowest = Math.max(0, ...duringRestart.map((a) => a.ms));
  const failFast = {
    name: `webhooks answered within DATABASE_TIMEOUT_MS (${DATABASE_TIMEOUT_MS} ms) + 5 s while PostgreSQL restarted`,
    ok: duringRestart.length > 0 && slowest < DATABASE_TIMEOUT_MS + 5000,
    detail: `${duringRestart.length} answers, slowest ${slowest.toFixed(0)} ms`,
  };
  const checks = [failedDeliveries, failFast, ...outcome.checks];
  printReport({ plan, sender, timeline, platforms, drain, duplicates: outcome.duplicates, checks, processes: PROCESSES, concurrency: CONCURRENCY });
  exitCode = checks.every((c) => c.ok) ? 0 : 1;
  if (exitCode !== 0) console.error(fleet.output.slice(-30).join('\n'));
} finally {
  await fleet.stop();
  await sql.end({ timeout: 5 });
  await platforms.close();
  await cluster.destroy();
}
process.exit(exitCode);
