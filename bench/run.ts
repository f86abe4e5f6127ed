/**
 * `npm run bench`: runs every benchmark against 127.0.0.1 only (local PostgreSQL, local fake Stripe,
 * TikTok and Meta servers), prints a markdown report and rewrites docs/benchmarks.md with it.
 *
 * Knobs (environment): BENCH_N events per webhook scenario (200), BENCH_RUNS fresh processes per cold
 * import target (15), BENCH_DRAIN_ROWS (10000, a multiple of 200), BENCH_WEBHOOK_EVENTS per throughput level
 * (2000), BENCH_NODE22 (a Node 22 binary, or `off`), BENCH_OPS_ROWS outbox rows for the operations
 * queries (100000).
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensurePostgres, machineInfo } from './setup.ts';
import { renderReport } from './report.ts';

// scripts/build.ts and the migrations resolve paths from the repository root.
process.chdir(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));

const int = (name: string, fallback: number) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer`);
  return value;
};
const N = int('BENCH_N', 200);
const RUNS = int('BENCH_RUNS', 15);
const DRAIN_ROWS = int('BENCH_DRAIN_ROWS', 10_000);
// 100 recorded events × two rows each, copied a whole number of times (bench/drain.ts).
if (DRAIN_ROWS % 200 !== 0) throw new Error('BENCH_DRAIN_ROWS must be a multiple of 200');
const WEBHOOK_EVENTS = int('BENCH_WEBHOOK_EVENTS', 2000);
const OPS_ROWS = int('BENCH_OPS_ROWS', 100_000);

// A full run takes about three minutes (plus a one-time Node 22 download); a hang must not go on.
const watchdog = setTimeout(() => {
  console.error('benchmark run exceeded 900 s; aborting');
  process.exit(1);
}, 900_000);
watchdog.unref();

const log = (msg: string) => console.error(`[bench] ${msg}`);
const server = await ensurePostgres();
try {
  // Loaded only now: test/support/pg.ts reads TEST_DATABASE_URL when it is first imported.
  const { benchWebhookLatency } = await import('./webhook-latency.ts');
  const { benchDrain } = await import('./drain.ts');
  const { benchWebhookThroughput } = await import('./webhook-throughput.ts');
  const { benchBundles } = await import('./bundles.ts');
  const { findNode22 } = await import('./node22.ts');

  const machine = await machineInfo(server.url);
  const started = Date.now();
  log(`webhook latency: ${N} events per scenario`);
  const latency = await benchWebhookLatency({ n: N, concurrencies: [1, 4], delayMs: 4000, warmup: 50 });
  log(`drain: ${DRAIN_ROWS} rows`);
  const drain = await benchDrain({ rows: DRAIN_ROWS, platformDelays: [0, 100] });
  log(`webhook throughput: ${WEBHOOK_EVENTS} events at concurrency 16 and 64, built bundle`);
  const throughput = await benchWebhookThroughput({ events: WEBHOOK_EVENTS, concurrencies: [16, 64], warmup: 200 });
  log('looking for a Node 22 binary');
  const node22 = await findNode22();
  const nodes: [string, string][] = [[process.version, process.execPath]];
  if ('bin' in node22 && node22.version !== process.version) nodes.push([node22.version, node22.bin]);
  log(`bundles: ${RUNS} cold imports per target on ${nodes.map(([v]) => v).join(', ')}`);
  const bundles = await benchBundles({ runs: RUNS, nodes });
  const { benchCheckoutLatency } = await import('./checkout-latency.ts');
  log(`create-checkout-session: ${N} requests per scenario`);
  const checkout = await benchCheckoutLatency({ n: N, concurrencies: [1, 4], warmup: 20 });
  const { benchOpsQueries } = await import('./ops-queries.ts');
  log(`operations queries: ${OPS_ROWS} outbox rows`);
  const ops = await benchOpsQueries({ rows: OPS_ROWS, repeats: 10 });
  log('database outage: 3 stop/start cycles');
  const outage = await (await import('./outage.ts')).benchOutage({ cycles: 3, downMs: 2000 });
  const { benchEdgeChecks } = await import('./edge-checks.ts');
  log('edge checks: sanitize + validate per signed event');
  const edgeChecks = benchEdgeChecks();
  log(`track: ${N} events at concurrency 1 and 16`);
  const { benchTrack } = await import('./track.ts');
  const track = await benchTrack({ n: N, concurrencies: [1, 16], warmup: 50 });

  const report = renderReport({
    date: new Date(),
    seconds: (Date.now() - started) / 1000,
    machine,
    latency,
    drain,
    throughput,
    bundles,
    ops,
    outage,
    edgeChecks,
    node22: 'bin' in node22 ? `${node22.version}, from ${node22.source}` : `not measured: ${node22.unavailable}`,
    checkout,
    track,
  });
  console.log(report);
  await writeFile('docs/benchmarks.md', report);
  log('wrote docs/benchmarks.md');
} finally {
  server.stop();
}
