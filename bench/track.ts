/**
 * `track` response time through the real Netlify entry (netlify/functions/track.ts, not the built
 * bundle) and App, on the local PostgreSQL, at concurrency 1 and 16; and public/tracking.js minified
 * (esbuild, as a site's build would) and gzipped. Timed: exactly `await handler(request, context)`;
 * the after-response delivery to the fake platforms is awaited outside the timing, after each pass.
 */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import type { Context } from '@netlify/functions';
import { setApp } from '../src/app.ts';
import trackFunction from '../netlify/functions/track.ts';
import { resetTables, startWorld, type World } from './fixture.ts';
import { pool, summarize, type Summary } from './stats.ts';

export interface TrackBenchResult {
  n: number;
  passes: { concurrency: number; response: Summary; accepted: number; delivered: number }[];
  module: { bytes: number; minifiedBytes: number; gzipBytes: number };
}

const URL_ = 'http://127.0.0.1/.netlify/functions/track';
const SHOP = 'https://shop.example';

/** A Lead with everything a page sends: hashed user data, cookies, IP, user agent, page. */
function leadRequest(i: number): Request {
  const body = {
    event_name: 'Lead',
    event_id: `bench-${process.pid}-${Date.now()}-${i}`,
    event_source_url: `${SHOP}/contact?utm_source=bench`,
    user_data: { email: `lead${i}@example.com`, phone: '+1 650 555 1212', first_name: 'Anna', last_name: 'Berg' },
    custom_data: { value: 10, currency: 'USD' },
  };
  return new Request(URL_, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      origin: SHOP,
      'user-agent': 'Mozilla/5.0 (bench) Chrome/150',
      cookie: '_fbp=fb.1.1795420700000.1116446470; _ttp=bench-ttp',
      'x-nf-client-connection-ip': `198.51.100.${i % 250}`,
    },
    body: JSON.stringify(body),
  });
}

export async function benchTrack(opts: { n: number; concurrencies: number[]; warmup: number }): Promise<TrackBenchResult> {
  const world = await startWorld();
  try {
    setApp(world.app({ env: { ALLOWED_ORIGINS: SHOP, TRACK_RATE_LIMIT_PER_MINUTE: '1000000' } }));
    await pass(world, 1, opts.warmup);
    const passes = [];
    for (const concurrency of opts.concurrencies) {
      await resetTables(world);
      passes.push({ concurrency, ...(await pass(world, concurrency, opts.n)) });
    }
    return { n: opts.n, passes, module: await moduleSize() };
  } finally {
    setApp(undefined);
    await world.close();
  }
}

async function pass(world: World, concurrency: number, n: number) {
  const background: Promise<unknown>[] = [];
  const context = { requestId: 'bench', waitUntil: (p: Promise<unknown>) => void background.push(p) } as unknown as Context;
  const times: number[] = [];
  let accepted = 0;
  await pool(n, concurrency, async (i) => {
    const request = leadRequest(i);
    const started = performance.now();
    const response = await trackFunction(request, context);
    times.push(performance.now() - started);
    if (response.status !== 202) throw new Error(`track answered ${response.status}: ${await response.text()}`);
    // Read first, then add: `accepted += await …` would read the total before the await and lose
    // the other requests' counts.
    const { accepted: n } = (await response.json()) as { accepted: number };
    accepted += n;
  });
  await Promise.allSettled(background);
  const [row] = await world.tdb.sql`select count(*)::int as n from conversion_outbox where status = 'delivered'`;
  return { response: summarize(times), accepted, delivered: row!.n as number };
}

async function moduleSize() {
  const source = await readFile('public/tracking.js');
  const out = await build({ entryPoints: ['public/tracking.js'], bundle: false, minify: true, format: 'esm', write: false });
  const minified = out.outputFiles[0]!.contents;
  return { bytes: source.byteLength, minifiedBytes: minified.byteLength, gzipBytes: gzipSync(minified, { level: 9 }).byteLength };
}
