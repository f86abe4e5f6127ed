/**
 * Size and cold import time of the deployed artifacts: scripts/build.ts bundles each function into
 * one .mjs (what Netlify ships), here into a temp dir. A cold start is modelled as a fresh `node`
 * process that imports the bundle once, the way the Lambda bootstrap does on a new instance:
 *  - import = performance.now() around `await import(bundle)` inside the child (module parse,
 *    link and top-level evaluation, without node's own boot);
 *  - wall = spawn → exit as seen by this process (node boot + import + teardown).
 * An empty module measured the same way gives node's own floor. Runs are interleaved (baseline,
 * webhook, drain, baseline, …) so drift on a busy machine hits every target alike.
 */
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { isBuiltin } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { buildFunctions } from '../scripts/build.ts';
import { packageFunctions } from '../scripts/package.ts';
import { diskBytes, staticImports, withoutImport } from './bundle-code.ts';
import { summarize, type Summary } from './stats.ts';

export interface BundleSize {
  name: string;
  bytes: number;
  gzipBytes: number;
  /** Packages the bundle still imports statically (esbuild externals): loaded at cold start too. */
  externals: string[];
}

interface Target {
  label: string;
  url: string;
  /** floor: empty module; lean: a bundle with its external imports removed (`of` names it). */
  kind: 'floor' | 'bundle' | 'lean' | 'external';
  of?: string;
}

export interface ColdImport extends Omit<Target, 'url'> {
  node: string;
  import: Summary;
  wall: Summary;
}

/** A deploy zip as Netlify's packager makes it (scripts/package.ts). */
export interface ZipSize {
  name: string;
  zipBytes: number;
  /** The project's files in the zip, as stored (compressed) and unpacked; the rest is Netlify's. */
  ownBytes: number;
  ownUnpackedBytes: number;
  files: number;
}

export interface BundlesResult {
  sizes: BundleSize[];
  zips: ZipSize[];
  /** Bytes on disk of each external package: what a deploy would have to ship beside the bundle. */
  externalBytes: Record<string, number>;
  runs: number;
  cold: ColdImport[];
}

const CHILD = `const t0 = performance.now();
await import(process.argv[1]);
process.stdout.write(JSON.stringify({ importMs: performance.now() - t0 }));`;

/** `nodes`: [label, binary] pairs, e.g. this machine's node and a Node 22 binary. */
export async function benchBundles(opts: { runs: number; nodes: [string, string][] }): Promise<BundlesResult> {
  // Inside the repo (node_modules/.cache, ignored by git), not the OS temp dir: the bundles keep
  // static imports of their esbuild externals, which must resolve as they would next to the
  // deployed node_modules. From the OS temp dir the import fails instead of being measured.
  await mkdir(path.resolve('node_modules/.cache'), { recursive: true });
  const outdir = await mkdtemp(path.resolve('node_modules/.cache/bench-functions-'));
  try {
    const files = await buildFunctions(outdir);
    const sizes: BundleSize[] = [];
    for (const file of files) {
      const code = await readFile(file);
      // gzip level 9 approximates what the deploy zip and transfer cost; bytes is what V8 parses.
      const externals = staticImports(code.toString('utf8')).filter((s) => !isBuiltin(s));
      sizes.push({ name: path.basename(file), bytes: code.length, gzipBytes: gzipSync(code, { level: 9 }).length, externals });
    }
    // What-if rows: the same bytes without the static import of the externals (what a lazy
    // `await import()` would give), and each external alone (resolved from the repo root).
    const zips = (await packageFunctions(outdir, `${outdir}-zips`)).map(({ name, zipBytes, ownBytes, ownUnpackedBytes, entries }) => ({
      name,
      zipBytes,
      ownBytes,
      ownUnpackedBytes,
      files: entries.length,
    }));
    const externals = [...new Set(sizes.flatMap((s) => s.externals))];
    const targets: Target[] = [{ label: '(empty module)', url: 'data:text/javascript,', kind: 'floor' }];
    for (const [i, file] of files.entries()) {
      const name = path.basename(file);
      targets.push({ label: name, url: pathToFileURL(file).href, kind: 'bundle' });
      const own = sizes[i]!.externals;
      if (own.length === 0) continue;
      const lean = file.replace(/\.mjs$/, '.no-externals.mjs');
      const leanCode = own.reduce(withoutImport, await readFile(file, 'utf8'));
      if (staticImports(leanCode).some((e) => own.includes(e))) throw new Error(`could not remove the imports of ${own} from ${name}`);
      await writeFile(lean, leanCode);
      const label = `${name} without its ${own.map((e) => `\`${e}\``).join(', ')} import`;
      targets.push({ label, url: pathToFileURL(lean).href, kind: 'lean', of: name });
    }
    targets.push(...externals.map((e): Target => ({ label: `\`${e}\` alone`, url: e, kind: 'external' })));

    const samples = new Map<string, { imports: number[]; walls: number[] }>();
    for (let i = 0; i < opts.runs; i++) {
      for (const [node, bin] of opts.nodes) {
        for (const t of targets) {
          const s = samples.get(`${node} ${t.label}`) ?? { imports: [], walls: [] };
          const { importMs, wallMs } = await coldImport(bin, t.url);
          s.imports.push(importMs);
          s.walls.push(wallMs);
          samples.set(`${node} ${t.label}`, s);
        }
      }
    }
    const cold = opts.nodes.flatMap(([node]) =>
      targets.map(({ url: _url, ...t }) => {
        const s = samples.get(`${node} ${t.label}`)!;
        return { ...t, node, import: summarize(s.imports), wall: summarize(s.walls) };
      }),
    );
    const externalBytes = Object.fromEntries(await Promise.all(externals.map(async (e) => [e, await diskBytes(path.resolve('node_modules', e))])));
    return { sizes, zips, externalBytes, runs: opts.runs, cold };
  } finally {
    await rm(outdir, { recursive: true, force: true });
    await rm(`${outdir}-zips`, { recursive: true, force: true });
  }
}

function coldImport(bin: string, url: string): Promise<{ importMs: number; wallMs: number }> {
  // No NODE_OPTIONS: a loader inherited from the benchmark runner would be timed too.
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', NODE_ENV: 'production' };
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(bin, ['--input-type=module', '-e', CHILD, url], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d));
    child.stderr.on('data', (d: Buffer) => (err += d));
    // An import that leaves a handle open would keep the process alive: fail instead of hanging.
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - t0;
      clearTimeout(timer);
      if (code !== 0) return reject(new Error(`cold import of ${url} exited ${code}: ${err.split('\n')[0]}`));
      resolve({ importMs: (JSON.parse(out) as { importMs: number }).importMs, wallMs });
    });
  });
}
