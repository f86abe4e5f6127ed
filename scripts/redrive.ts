/**
 * `npm run redrive [-- --include-skipped] [--destination meta] [--since 7d] [--reason <text>]
 *  [--event-id cs_…] [--dry-run]`: puts dead (and, asked, skipped) conversions back in the queue, for
 * the drain to send. Rows older than their platform accepts, or whose payload is gone, are refused
 * with that reason and never sent. Prints the count; `--dry-run` changes nothing.
 */
import { createApp } from '../src/app.ts';
import { MAX_EVENT_AGE_SECONDS, redrive } from '../src/ops/redrive.ts';
import { parseSince } from '../src/ops/since.ts';
import { args, fail, localConfig, run } from './local.ts';

const { values } = args(
  {
    options: {
      'include-skipped': { type: 'boolean', default: false },
      destination: { type: 'string' },
      since: { type: 'string' },
      reason: { type: 'string' },
      'event-id': { type: 'string' },
      'dry-run': { type: 'boolean', default: false },
    },
  },
  'npm run redrive [-- --include-skipped] [--destination meta|tiktok] [--since 7d] [--reason <text>] [--event-id cs_…] [--dry-run]',
);
const known = Object.keys(MAX_EVENT_AGE_SECONDS);
if (values.destination !== undefined && !known.includes(values.destination)) {
  fail(`--destination: expected ${known.join(' or ')}, got "${values.destination}"`);
}
const since = values.since === undefined ? undefined : parseSince(values.since, Date.now());
if (since && !(since instanceof Date)) fail(since.error);

const app = createApp({ config: localConfig() });

await run(async () => {
  const db = await app.db();
  const result = await redrive(db, {
    statuses: values['include-skipped'] ? ['dead', 'skipped'] : ['dead'],
    destination: values.destination,
    since,
    reason: values.reason,
    eventId: values['event-id'],
    dryRun: values['dry-run'],
  });
  await db.close();
  console.log(`${result.dry_run ? 'would requeue' : 'requeued'} ${result.requeued} conversion(s)`);
  for (const r of result.refused) console.log(`refused ${r.count}: ${r.reason}`);
  if (!result.dry_run && result.requeued > 0) console.log('the scheduled drain sends them within a minute (or: npm run drain)');
});
