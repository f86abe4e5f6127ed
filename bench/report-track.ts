/**
 * The `track` section of docs/benchmarks.md: response time at each concurrency and the size of the
 * browser module. Kept apart from report.ts only to keep files small.
 */
import { bytes, ms, table } from './stats.ts';
import type { TrackBenchResult } from './track.ts';

export function trackSection(t: TrackBenchResult): string[] {
  const rows = t.passes.map((p) => [
    p.concurrency,
    ms(p.response.p50),
    ms(p.response.p90),
    ms(p.response.p99),
    ms(p.response.max),
    `${p.accepted} / ${p.delivered}`,
  ]);
  const m = t.module;
  return [
    '## 6. Funnel events: `track` and `public/tracking.js`',
    '',
    `${t.n} Lead events per row (hashed email, phone and names, cookies, IP, user agent, page; value and currency) through ` +
      'the entry file `netlify/functions/track.ts` (not the built bundle) on the local PostgreSQL: CORS, rate limit, ' +
      '16 KiB body read, validation, hashing, one `outbox_enqueue` call, `202`. Timed: the handler call alone; the ' +
      'delivery it starts after the response (both fake platforms, at once) is awaited after each pass, untimed.',
    '',
    table(['concurrency', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'accepted / rows delivered'], rows),
    '',
    'Rows delivered are two per event (TikTok and Meta). At concurrency 16 the requests wait for the App\'s small ' +
      'connection pool, which the after-response deliveries of earlier events share, so most of that time is queueing.',
    '',
    table(['public/tracking.js', 'bytes'], [
      ['source', `${m.bytes.toLocaleString('en')} (${bytes(m.bytes)})`],
      ['minified (esbuild --minify)', `${m.minifiedBytes.toLocaleString('en')} (${bytes(m.minifiedBytes)})`],
      ['minified + gzip -9', `${m.gzipBytes.toLocaleString('en')} (${bytes(m.gzipBytes)})`],
    ]),
    '',
  ];
}
