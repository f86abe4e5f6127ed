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
import { summarize, type Summary } from './stats.ts';

export interface BundleSize {
  name: string;
  bytes: number;
  gzipBytes: number;
  /** Packages the bundle still imports statically (esbuild externals): loaded at cold start too. */
  externals: string[];
}

export interface ColdImport {
  node: string;
  target: string;
  import: Summary;
  wall: Summary;
}

export interface BundlesResult {
  sizes: BundleSize[];
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
    const externals = [...new Set(sizes.flatMap((s) => s.externals))];
    const targets: [string, string][] = [['(empty module)', 'data:text/javascript,']];
    for (const [i, file] of files.entries()) {
      targets.push([path.basename(file), pathToFileURL(file).href]);
      const own = sizes[i]!.externals;
      if (own.length === 0) continue;
      const lean = file.replace(/\.mjs$/, '.no-externals.mjs');
      await writeFile(lean, own.reduce(withoutImport, await readFile(file, 'utf8')));
      targets.push([`${path.basename(file)} without ${own.map((e) => `\`${e}\``).join(', ')} import`, pathToFileURL(lean).href]);
    }
    targets.push(...externals.map((e): [string, string] => [`\`${e}\` alone`, e]));
    const samples = new Map<string, { node: string; target: string; imports: number[]; walls: number[] }>();
    for (let i = 0; i < opts.runs; i++) {
      for (const [label, bin] of opts.nodes) {
        for (const [target, url] of targets) {
          const key = `${label}\u0000${target}`;
          const s = samples.get(key) ?? { node: label, target, imports: [], walls: [] };
          const { importMs, wallMs } = await coldImport(bin, url);
          s.imports.push(importMs);
          s.walls.push(wallMs);
          samples.set(key, s);
        }
      }
    }
    const cold = [...samples.values()].map((s) => ({ node: s.node, target: s.target, import: summarize(s.imports), wall: summarize(s.walls) }));
    return { sizes, runs: opts.runs, cold };
  } finally {
    await rm(outdir, { recursive: true, force: true });
  }
}

/** Specifiers of top-level `import … from "x"` / `import "x"` statements in minified ESM. */
function staticImports(code: string): string[] {
  return [...new Set([...code.matchAll(/(?:^|[;\n}])\s*import\s*(?:[\w${}*,\s]+?\s*from\s*)?["']([^"']+)["']/g)].map((m) => m[1]!))];
}

/** Replaces `import{A as B,C}from"spec";` by `var B,C;`: same bindings, nothing loaded. */
function withoutImport(code: string, spec: string): string {
  const quoted = spec.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return code.replace(new RegExp(`import\\s*([^;"']*?)\\s*from\\s*["']${quoted}["'];?`, 'g'), (_, clause: string) => {
    const names = clause
      .replace(/[{}]/g, ',')
      .split(',')
      .map((part) => part.trim().split(/\s+|\*as\s*/).filter(Boolean).pop())
      .filter((name): name is string => Boolean(name));
    return names.length > 0 ? `var ${names.join(',')};` : '';
  });
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
