import type { Config, Context } from '@netlify/functions';
import { appOrMisconfigured, deliverSafely } from '../../src/app.ts';
import { applyRetention } from '../../src/ops/retention.ts';

/**
 * Every minute: delivers every due conversion (retries included). The guaranteed path; the
 * webhook's after-response delivery is only the fast one. Then clears payloads past their retention.
 * Locally, a POST runs one drain.
 */
export default async (req: Request, _context: Context): Promise<Response> => {
  // Netlify's scheduler POSTs; anything else is not a drain request.
  if (req.method !== 'POST') return Response.json({ error: 'method not allowed' }, { status: 405, headers: { allow: 'POST' } });
  const app = await appOrMisconfigured('conversions-drain');
  if (app instanceof Response) return app;
  // Scheduled functions get 30 s; stop claiming new rows well before that.
  const report = await deliverSafely(app, { deadline: app.now() + 20_000 });
  // Retention rides on the schedule; an unreachable database was already reported by the delivery.
  await app.db().then((db) => applyRetention(db, app.config.ops.retention, app.log), () => null);
  // Runs that sent something are logged by deliverSafely; an empty one is still worth a line, since
  // the Netlify CLI shows a scheduled function's log but never its answer.
  if (report?.claimed === 0) app.log.info('conversions drain: nothing due', { ...report });
  return Response.json(report ?? { error: 'delivery failed, see logs' }, { status: report ? 200 : 500 });
};

export const config: Config = {
  schedule: '* * * * *',
};
