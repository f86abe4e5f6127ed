/**
 * `npm run report [-- --json] [--days 14 | --since 2026-11-01]`: per day and destination, Stripe
 * purchases paid against conversions delivered / retrying / dead / skipped; the reasons of dead and
 * skipped ones; match-key coverage of delivered ones. Against whatever store the settings select.
 */
import { createApp } from '../src/app.ts';
import { formatReport, readReport } from '../src/ops/report.ts';
import { parseSince } from '../src/ops/since.ts';
import { args, fail, localConfig, run } from './local.ts';

const { values } = args(
  { options: { json: { type: 'boolean', default: false }, since: { type: 'string' }, days: { type: 'string' } } },
  'npm run report [-- --json] [--days 14 | --since <2026-11-01 | 7d>]',
);
const since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
if (since && !(since instanceof Date)) fail(since.error);
const days = values.days === undefined ? undefined : Number(values.days);
if (days !== undefined && !(Number.isInteger(days) && days > 0)) fail(`--days: expected a positive whole number, got "${values.days}"`);

const app = createApp({ config: localConfig() });

await run(async () => {
  const db = await app.db();
  const report = await readReport(db, { since, days });
  await db.close();
  console.log(values.json ? JSON.stringify(report, null, 2) : formatReport(report));
});
