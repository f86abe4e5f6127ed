/**
 * `npm run package`: builds the functions and packages dist/functions with Netlify's own packager
 * (@netlify/zip-it-and-ship-it, what `netlify build` runs), then prints what each deploy zip holds
 * and how Netlify reads each function (schedule or path). The zips go to .netlify/package/.
 */
import { zipFunctions } from '@netlify/zip-it-and-ship-it';
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildFunctions, FUNCTIONS_OUT } from './build.ts';
import { zipEntries, type ZipEntry } from './zip-entries.ts';

/** Files the packager adds to every function (its bootstrap, telemetry, entry point, metadata). */
export const isNetlifyFile = (name: string) => name.startsWith('___netlify-');

export interface PackagedFunction {
  name: string;
  zip: string;
  zipBytes: number;
  entries: ZipEntry[];
  /** The project's own files: everything but the packager's ___netlify-* files, as stored (compressed). */
  ownBytes: number;
  ownUnpackedBytes: number;
  schedule?: string;
}

export async function packageFunctions(functionsDir: string, outDir: string): Promise<PackagedFunction[]> {
  await rm(outDir, { recursive: true, force: true });
  const root = process.cwd();
  const results = await zipFunctions([functionsDir], outDir, { basePath: root, repositoryRoot: root, configFileDirectories: [] });
  const packaged = await Promise.all(
    results.map(async (r): Promise<PackagedFunction> => {
      const entries = await zipEntries(r.path);
      const own = entries.filter((e) => !isNetlifyFile(e.name));
      return {
        name: r.name,
        zip: r.path,
        zipBytes: r.size ?? entries.reduce((sum, e) => sum + e.compressedBytes, 0),
        entries,
        ownBytes: own.reduce((sum, e) => sum + e.compressedBytes, 0),
        ownUnpackedBytes: own.reduce((sum, e) => sum + e.bytes, 0),
        ...(r.schedule && { schedule: r.schedule }),
      };
    }),
  );
  return packaged.sort((a, b) => a.name.localeCompare(b.name));
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await buildFunctions();
  const out = path.join('.netlify', 'package');
  for (const f of await packageFunctions(FUNCTIONS_OUT, out)) {
    const own = f.entries.filter((e) => !isNetlifyFile(e.name)).map((e) => e.name);
    console.log(`${f.name.padEnd(26)} ${kb(f.zipBytes).padStart(7)} zip, ${kb(f.ownBytes).padStart(6)} of it this project's: ${own.join(', ')}`);
    console.log(`${''.padEnd(26)} ${f.schedule ? `scheduled "${f.schedule}" (runs on published deploys only)` : `/.netlify/functions/${f.name}`}`);
  }
  console.log(`zips in ${out}/`);
}
