/**
 * `npm run build`: bundles each Netlify function with esbuild into dist/functions, which netlify.toml
 * names as the functions directory (and the Netlify CLI serves). Netlify ignores `node_bundler` for v2
 * functions and would ship hundreds of node_modules files instead; one pre-bundled file cold-starts
 * several times faster (docs/benchmarks.md). `--watch` rebuilds on every change to the sources.
 */
import { build, context, type BuildOptions, type Plugin } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { pathToFileURL } from 'node:url';

export const FUNCTIONS_SRC = 'netlify/functions';
export const FUNCTIONS_OUT = 'dist/functions';

/**
 * Local-only modules and what the deployed bundles get instead. Netlify's packager follows every
 * import left in a bundle, even a lazy one, and ships its target: without this swap each zip carried
 * PGlite (15 MB of WebAssembly) and supabase/migrations, which a deployed function never uses.
 */
const DEPLOYED_STAND_INS: Record<string, string> = {
  'src/db/pglite.ts': 'src/db/pglite.deployed.ts',
};
/**
 * Modules the functions reach only for names they never call (src/db/postgres.ts's migration target
 * serves `npm run db:migrate`). Declared free of side effects so that esbuild drops them whole, and
 * with them the path to supabase/migrations that the packager would otherwise follow and ship.
 */
const UNUSED_WHEN_DEPLOYED = ['src/db/migrations.ts'];

const deployedModules: Plugin = {
  name: 'deployed-modules',
  setup(b) {
    const swaps = new Map(Object.entries(DEPLOYED_STAND_INS).map(([from, to]) => [path.resolve(from), path.resolve(to)]));
    const droppable = new Set(UNUSED_WHEN_DEPLOYED.map((file) => path.resolve(file)));
    b.onResolve({ filter: /^\.\.?\// }, (args) => {
      const resolved = path.resolve(args.resolveDir, args.path);
      const standIn = swaps.get(resolved);
      if (standIn) return { path: standIn };
      return droppable.has(resolved) ? { path: resolved, sideEffects: false } : undefined;
    });
  },
};

async function entryPoints(): Promise<string[]> {
  return (await readdir(FUNCTIONS_SRC)).filter((f) => f.endsWith('.ts')).sort().map((f) => path.join(FUNCTIONS_SRC, f));
}

function options(entries: string[], outdir: string): BuildOptions {
  return {
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    plugins: [deployedModules],
    // Some dependencies still call require(); give ESM output a real one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  };
}

/** Every netlify/functions/*.ts, bundled; returns the .mjs paths. */
export async function buildFunctions(outdir = FUNCTIONS_OUT): Promise<string[]> {
  const entries = await entryPoints();
  await rm(outdir, { recursive: true, force: true });
  await build(options(entries, outdir));
  return entries.map((e) => path.join(outdir, `${path.basename(e, '.ts')}.mjs`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const { values } = parseArgs({ options: { watch: { type: 'boolean', default: false } } });
  const files = await buildFunctions();
  console.log(`bundled ${files.length} functions into ${FUNCTIONS_OUT}/: ${files.map((f) => path.basename(f)).join(', ')}`);
  if (values.watch) {
    // A new entry file needs a restart: esbuild watches the inputs of the entries it was given.
    const ctx = await context({ ...options(await entryPoints(), FUNCTIONS_OUT), logLevel: 'info' });
    await ctx.watch();
    console.log('watching the sources; stop with Ctrl-C');
  }
}
