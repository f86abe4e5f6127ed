/**
 * `npm run build`: bundles each Netlify function with esbuild into dist/functions, which netlify.toml
 * names as the functions directory. Netlify ignores `node_bundler` for v2 functions and would ship
 * hundreds of node_modules files instead; one pre-bundled file cold-starts several times faster
 * (docs/benchmarks.md).
 */
import { build } from 'esbuild';
import { readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';

export const FUNCTIONS_SRC = 'netlify/functions';
export const FUNCTIONS_OUT = 'dist/functions';

export async function buildFunctions(outdir = FUNCTIONS_OUT): Promise<string[]> {
  const entries = (await readdir(FUNCTIONS_SRC)).filter((f) => f.endsWith('.ts')).map((f) => path.join(FUNCTIONS_SRC, f));
  await rm(outdir, { recursive: true, force: true });
  await build({
    entryPoints: entries,
    outdir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    // Local-only store: imported dynamically when selected, never on Netlify.
    external: ['@electric-sql/pglite'],
    // Some dependencies still call require(); give ESM output a real one.
    banner: { js: "import{createRequire as __cr}from'node:module';const require=__cr(import.meta.url);" },
    logLevel: 'warning',
  });
  return entries.map((e) => path.join(outdir, `${path.basename(e, '.ts')}.mjs`));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const files = await buildFunctions();
  console.log(`bundled ${files.length} functions into ${FUNCTIONS_OUT}/`);
}
