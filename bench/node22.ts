/**
 * Finds a Node 22 binary for the cold-import benchmark, because Netlify runs functions on Node 22
 * while this machine's `node` may be 20. Never a project dependency: it is installed from the npm
 * registry (`node-<platform>-<arch>@22`, which ships the official binary) into a cache folder under
 * the OS temp dir and reused by later runs. BENCH_NODE22=<binary> uses a given one;
 * BENCH_NODE22=off skips it.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export type Node22 = { bin: string; version: string; source: string } | { unavailable: string };

export async function findNode22(): Promise<Node22> {
  const given = process.env.BENCH_NODE22;
  if (given === 'off') return { unavailable: 'skipped (BENCH_NODE22=off)' };
  if (process.version.startsWith('v22.')) return { bin: process.execPath, version: process.version, source: 'the running node' };
  if (given) return probe(given, 'BENCH_NODE22');

  const pkg = `node-${process.platform}-${process.arch}`;
  const dir = path.join(tmpdir(), 'stripe-conversions-bench-node22');
  const bin = path.join(dir, 'node_modules', pkg, 'bin', 'node');
  if (existsSync(bin)) return probe(bin, `npm package ${pkg}@22 (cached in the OS temp dir)`);
  try {
    await mkdir(dir, { recursive: true });
    // ~185 MB; bounded so an unreachable registry cannot stall the whole benchmark.
    await run('npm', ['install', '--prefix', dir, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', `${pkg}@22`], {
      timeout: 150_000,
      env: { ...process.env, npm_config_update_notifier: 'false' },
    });
  } catch (error) {
    return { unavailable: `installing ${pkg}@22 from npm failed: ${firstLine(error)}` };
  }
  return existsSync(bin) ? probe(bin, `npm package ${pkg}@22 (installed into the OS temp dir)`) : { unavailable: `${pkg}@22 has no bin/node` };
}

async function probe(bin: string, source: string): Promise<Node22> {
  try {
    const { stdout } = await run(bin, ['--version'], { timeout: 10_000 });
    const version = stdout.trim();
    return version.startsWith('v22.') ? { bin, version, source } : { unavailable: `${source} is ${version}, not 22` };
  } catch (error) {
    return { unavailable: `${source} does not run: ${firstLine(error)}` };
  }
}

/** The report is committed: keep machine paths out of it. */
const firstLine = (error: unknown) =>
  (String((error as Error).message ?? error).split('\n')[0] ?? '').replaceAll(tmpdir(), '<tmp>').replaceAll(process.cwd(), '.');
