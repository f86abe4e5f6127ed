import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFunctions } from '../../scripts/build.ts';
import { isNetlifyFile, packageFunctions, type PackagedFunction } from '../../scripts/package.ts';

/** The project's own files allowed per zip, as stored; Netlify's ___netlify-* files come on top. */
const OWN_BYTES_LIMIT = 250 * 1024;

/**
 * What Netlify deploys: the bundles of scripts/build.ts, packaged by Netlify's own packager
 * (@netlify/zip-it-and-ship-it, as `netlify build` does), for every entry file in netlify/functions.
 */
describe('deploy zips', () => {
  let dir: string;
  let zips: PackagedFunction[];
  let names: string[];

  beforeAll(async () => {
    // Next to dist/functions, at the same depth: the packager then resolves what a bundle still
    // reaches (node_modules, paths relative to the bundle such as ../../supabase/migrations) exactly
    // as `netlify build` does. From elsewhere those would not resolve, ship nothing, and pass.
    await mkdir('dist', { recursive: true });
    dir = await mkdtemp(path.resolve('dist/zip-test-'));
    await buildFunctions(dir);
    zips = await packageFunctions(dir, path.join(dir, 'zips'));
    names = (await readdir('netlify/functions')).filter((f) => f.endsWith('.ts')).map((f) => f.slice(0, -3)).sort();
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('makes one zip per entry file in netlify/functions', () => {
    expect(zips.map((z) => z.name)).toEqual(names);
  });

  it('ships each function as its one bundle next to the packager files: no PGlite, no migrations, no node_modules', () => {
    for (const zip of zips) {
      const own = zip.entries.map((e) => e.name).filter((name) => !isNetlifyFile(name));
      expect(own, zip.name).toEqual([`${zip.name}.mjs`]);
      const shipped = zip.entries.map((e) => e.name).join('\n');
      expect(shipped, zip.name).not.toMatch(/pglite|\.wasm$|\.sql$|node_modules\//m);
    }
  });

  it('keeps the project files of every zip under 250 KB', () => {
    for (const zip of zips) {
      expect(zip.ownBytes, zip.name).toBeGreaterThan(0);
      expect(zip.ownBytes, `${zip.name}: ${zip.ownBytes} bytes of own files`).toBeLessThan(OWN_BYTES_LIMIT);
    }
  });

  it('lets Netlify read the drain schedule from the bundle, and no other function as scheduled', () => {
    const schedules = Object.fromEntries(zips.map((z) => [z.name, z.schedule ?? null]));
    expect(schedules['conversions-drain']).toBe('* * * * *');
    expect(schedules['stripe-webhook']).toBeNull();
  });
});
