import type postgres from 'postgres';

/**
 * A database with a known history for the operations tests (status page, report, redrive): rows in
 * every state, spread over the last days, written straight into the tables.
 *
 *   meta    delivered: 3 today (2 with email + ip, 1 email only), 2 yesterday, 1 five days ago
 *           dead: 1 two days ago, 1 ten days ago (too old for Meta); both "auth: Invalid OAuth…"
 *           pending: 1 retried once, due for ten minutes
 *   tiktok  delivered: 1 today (email + ttclid); skipped: 2 today (off)
 *   stripe  4 events in the last 24 h (3 processed, 1 ignored); 4 purchases paid, 1 pending
 */
export const SEEDED = {
  meta: { delivered: 6, dead: 2, pending: 1, skipped: 0, deliveredToday: 3, retryingToday: 1 },
  tiktok: { delivered: 1, skipped: 2 },
  deadReason: 'auth: Invalid OAuth access token',
};

export async function seedOperations(sql: postgres.Sql): Promise<void> {
  await sql.unsafe(`
    insert into public.stripe_events (id, type, livemode, stripe_created, payload, outcome, received_at)
    select 'evt_seed_' || i, case when i = 4 then 'product.created' else 'checkout.session.completed' end, true, now(),
           '{}'::jsonb, case when i = 4 then 'ignored' else 'processed' end, now() - make_interval(mins => i * 10)
      from generate_series(1, 4) i;
    insert into public.customers (customer_key, livemode) values ('cus_seed', true);
    insert into public.purchases (checkout_session_id, customer_key, mode, status, livemode, first_event_id, last_event_id, paid_at)
    select 'cs_seed_' || i, 'cus_seed', 'payment', case when i = 5 then 'pending' else 'paid' end, true, 'evt_seed_1', 'evt_seed_1',
           case when i = 5 then null else now() - make_interval(days => case when i <= 3 then 0 else 1 end) end
      from generate_series(1, 5) i;

    insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, status, attempts,
                                          next_attempt_at, last_error, trace_id, event_time, delivered_at, updated_at)
    select d.destination, d.event_name, d.event_id, 'purchase', true, d.payload::jsonb, d.status, d.attempts,
           now() - make_interval(mins => d.due_mins_ago), d.last_error, d.trace_id,
           now() - make_interval(days => d.days_ago),
           case when d.status = 'delivered' then now() - make_interval(days => d.days_ago) end,
           now() - make_interval(days => d.days_ago)
      from (values
        ('meta', 'Purchase', 'cs_seed_m1', '{"user":{"email":"e"},"client":{"ipAddress":"203.0.113.1"}}', 'delivered', 1, 0, null, 'TraceOk1', 0),
        ('meta', 'Purchase', 'cs_seed_m2', '{"user":{"email":"e"},"client":{"ipAddress":"203.0.113.2"}}', 'delivered', 1, 0, null, 'TraceOk2', 0),
        ('meta', 'Purchase', 'cs_seed_m3', '{"user":{"email":"e"}}', 'delivered', 1, 0, null, 'TraceOk3', 0),
        ('meta', 'Purchase', 'cs_seed_m4', '{"user":{"email":"e"}}', 'delivered', 1, 0, null, null, 1),
        ('meta', 'Purchase', 'cs_seed_m5', '{"user":{"email":"e"}}', 'delivered', 1, 0, null, null, 1),
        ('meta', 'Purchase', 'cs_seed_m6', '{"user":{"email":"e"}}', 'delivered', 1, 0, null, null, 5),
        ('meta', 'Purchase', 'cs_seed_m7', '{"user":{"email":"e"}}', 'dead', 1, 0, 'auth: Invalid OAuth access token', 'TraceDead7', 2),
        ('meta', 'Purchase', 'cs_seed_m8', '{"user":{"email":"e"}}', 'dead', 1, 0, 'auth: Invalid OAuth access token', 'TraceDead8', 10),
        ('meta', 'Purchase', 'cs_seed_m9', '{"user":{"email":"e"}}', 'pending', 1, 10, 'HTTP 500: <html>', null, 0),
        ('tiktok', 'CompletePayment', 'cs_seed_m1', '{"user":{"email":"e"},"client":{"ttclid":"t"}}', 'delivered', 1, 0, null, 'ReqOk', 0),
        ('tiktok', 'CompletePayment', 'cs_seed_m2', '{"user":{"email":"e"}}', 'skipped', 0, 0, 'tiktok is off: no pixel id or access token', null, 0),
        ('tiktok', 'CompletePayment', 'cs_seed_m3', '{"user":{"email":"e"}}', 'skipped', 0, 0, 'tiktok is off: no pixel id or access token', null, 0)
      ) as d(destination, event_name, event_id, payload, status, attempts, due_mins_ago, last_error, trace_id, days_ago);

    insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, trace_id, reason, attempted_at)
    select id, 1, 'retryable', 500, null, 'HTTP 500: <html>', now() - interval '10 minutes'
      from public.conversion_outbox where event_id = 'cs_seed_m9';
  `);
}
