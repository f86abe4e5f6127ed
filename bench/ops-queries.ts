/**
 * The operations queries on a large outbox: `ops_status` (the status page, one call), `ops_report`
 * (14 days) and `ops_retention` (run after every scheduled drain: its first pass clears a backlog,
 * every later one should find almost nothing to do). Rows are written straight in SQL: `rows` outbox
 * rows over 30 days in every state, one attempt each and an extra failed attempt for one in ten.
 */
import { freshDatabase } from '../test/support/pg.ts';
import { summarize, type Summary } from './stats.ts';

export interface OpsQueriesResult {
  rows: number;
  repeats: number;
  status: Summary;
  report: Summary;
  retentionFirstMs: number;
  retentionFirstCleared: number;
  retentionSteady: Summary;
}

export async function benchOpsQueries(opts: { rows: number; repeats: number }): Promise<OpsQueriesResult> {
  const tdb = await freshDatabase();
  try {
    await tdb.sql.unsafe(`
      insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, status, attempts,
                                            last_error, event_time, delivered_at, updated_at, next_attempt_at)
      select case when i % 2 = 0 then 'meta' else 'tiktok' end, 'Purchase', 'cs_bench_' || i, 'purchase', true,
             '{"user":{"email":"e","externalId":"x"},"client":{"ipAddress":"203.0.113.1","fbp":"fb.1.1.1"}}'::jsonb,
             s.status, 1, case when s.status in ('dead', 'skipped') then 'reason ' || (i % 5) end,
             t.at, case when s.status = 'delivered' then t.at end, t.at, t.at
        from generate_series(1, ${opts.rows}) as i
        cross join lateral (select now() - make_interval(secs => i::double precision * ${30 * 86400} / ${opts.rows}) as at) t
        cross join lateral (select case when i % 20 = 0 then 'dead' when i % 20 = 1 then 'skipped'
                                        when i % 50 = 2 then 'pending' else 'delivered' end as status) s;
      insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, reason, attempted_at)
      select id, 1, case when status = 'delivered' then 'delivered' when status = 'dead' then 'permanent' else 'retryable' end,
             200, null, updated_at from public.conversion_outbox where status <> 'skipped';
      insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, reason, attempted_at)
      select id, 1, 'retryable', 503, 'HTTP 503', updated_at - interval '1 minute' from public.conversion_outbox where id % 10 = 0;
      analyze;
    `);
    const time = async (fn: string, args: object) => {
      const started = performance.now();
      const result = await tdb.db.call(fn as never, args);
      return { ms: performance.now() - started, result };
    };
    const repeat = async (fn: string, args: object) => {
      const samples: number[] = [];
      for (let i = 0; i < opts.repeats; i++) samples.push((await time(fn, args)).ms);
      return summarize(samples);
    };
    const status = await repeat('ops_status', { destinations: ['tiktok', 'meta'] });
    const report = await repeat('ops_report', { days: 14 });
    // 30-day retention: the rows older than that (about a thirtieth of them are already past it).
    const first = await time('ops_retention', { outbox_days: 29, stripe_event_days: 90 });
    const retentionSteady = await repeat('ops_retention', { outbox_days: 29, stripe_event_days: 90 });
    return {
      rows: opts.rows,
      repeats: opts.repeats,
      status,
      report,
      retentionFirstMs: first.ms,
      retentionFirstCleared: (first.result as { outbox_cleared: number }).outbox_cleared,
      retentionSteady,
    };
  } finally {
    await tdb.drop();
  }
}
