/**
 * `npm run drain`: delivers every due conversion once, with the configured store and tokens, and
 * prints what happened. `npm run drain -- --requeue-dead` first puts dead rows back in the queue
 * (after fixing a token, say); `--requeue-skipped` does the same for skipped ones. Both are
 * `npm run redrive` without filters: rows too old for the platform stay where they are.
 */
import { createApp, deliverSafely } from '../src/app.ts';
import { redrive } from '../src/ops/redrive.ts';
import { args, localConfig, run } from './local.ts';

const { values } = args(
  {
    options: {
      'requeue-dead': { type: 'boolean', default: false },
      'requeue-skipped': { type: 'boolean', default: false },
    },
  },
  'npm run drain [-- --requeue-dead | --requeue-skipped]',
);

// No dry-run log here: pointed at production it would print hashed identifiers and page URLs.
const app = createApp({ config: localConfig() });

await run(async () => {
  const db = await app.db();
  const statuses = [...(values['requeue-dead'] ? ['dead' as const] : []), ...(values['requeue-skipped'] ? ['skipped' as const] : [])];
  if (statuses.length > 0) {
    // The same lines as npm run redrive.
    const result = await redrive(db, { statuses });
    console.log(`requeued ${result.requeued} conversion(s)`);
    for (const r of result.refused) console.log(`refused ${r.count}: ${r.reason}`);
  }
  const report = await deliverSafely(app, { deadline: Date.now() + 60_000 });
  // One JSON line, as a POST to the local drain function answers.
  console.log(report ? JSON.stringify(report) : 'delivery failed (see the log line above)');
  await db.close();
  process.exitCode = report ? 0 : 1;
});
