-- Status, report, redrive and retention, on rows seeded in every state.

insert into public.stripe_events (id, type, livemode, stripe_created, payload, outcome, received_at)
values ('evt_ops_new', 'checkout.session.completed', true, now(), '{"id":"evt_ops_new"}', 'processed', now() - interval '1 hour'),
       ('evt_ops_ign', 'product.created', true, now(), '{"id":"evt_ops_ign"}', 'ignored', now() - interval '2 hours'),
       ('evt_ops_old', 'checkout.session.completed', true, now() - interval '100 days', '{"id":"evt_ops_old"}', 'processed',
        now() - interval '100 days');

insert into public.customers (customer_key, livemode) values ('cus_ops', true);
insert into public.purchases (checkout_session_id, customer_key, mode, status, livemode, first_event_id, last_event_id, paid_at)
values ('cs_ops_paid', 'cus_ops', 'payment', 'paid', true, 'evt_ops_new', 'evt_ops_new', now()),
       ('cs_ops_pending', 'cus_ops', 'payment', 'pending', true, 'evt_ops_new', 'evt_ops_new', null);

insert into public.subscriptions (id, customer_key, status, livemode, as_of)
values ('sub_ops_live', 'cus_ops', 'active', true, 1);

insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, status, attempts,
                                      next_attempt_at, last_error, event_time, subscription_id, delivered_at, updated_at)
values
  -- delivered today, with email + ip + fbp
  ('meta', 'Purchase', 'cs_ops_1', 'purchase', true,
   '{"user":{"email":"h1"},"client":{"ipAddress":"203.0.113.1","fbp":"fb.1.1.1"}}', 'delivered', 1, now(), null, now(), null, now(), now()),
  -- delivered today, email only
  ('meta', 'Subscribe', 'cs_ops_1', 'subscribe', true, '{"user":{"email":"h1"}}', 'delivered', 1, now(), null, now(), null, now(), now()),
  -- due for 5 minutes, retried once
  ('meta', 'Purchase', 'cs_ops_2', 'purchase', true, '{"user":{}}', 'pending', 1, now() - interval '5 minutes',
   'HTTP 500', now(), null, null, now()),
  -- dead two days ago, fresh enough to redrive
  ('meta', 'Purchase', 'cs_ops_3', 'purchase', true, '{"user":{}}', 'dead', 3, now(), 'auth: Invalid OAuth access token', now() - interval '2 days',
   null, null, now() - interval '2 days'),
  -- dead and ten days old: Meta refuses it
  ('meta', 'Purchase', 'cs_ops_4', 'purchase', true, '{"user":{}}', 'dead', 3, now(), 'auth: Invalid OAuth access token', now() - interval '10 days',
   null, null, now() - interval '10 days'),
  -- skipped (off)
  ('tiktok', 'CompletePayment', 'cs_ops_1', 'purchase', true, '{"user":{"email":"h1"}}', 'skipped', 0, now(),
   'tiktok is off: no pixel id or access token', now(), null, null, now()),
  -- delivered 40 days ago: retention clears it
  ('tiktok', 'CompletePayment', 'cs_ops_old', 'purchase', true, '{"user":{"email":"h2"},"client":{"ttclid":"t"}}', 'delivered', 1, now(),
   null, now() - interval '40 days', null, now() - interval '40 days', now() - interval '40 days'),
  -- delivered 40 days ago for a live subscription: kept (renewals are copied from it)
  ('tiktok', 'Subscribe', 'cs_ops_sub', 'subscribe', true, '{"user":{"email":"h3"}}', 'delivered', 1, now(),
   null, now() - interval '40 days', 'sub_ops_live', now() - interval '40 days', now() - interval '40 days'),
  -- pending for 40 days: not final, kept
  ('tiktok', 'CompletePayment', 'cs_ops_stuck', 'purchase', true, '{"user":{"email":"h4"}}', 'pending', 0, now() + interval '1 hour',
   null, now() - interval '40 days', null, null, now() - interval '40 days');

insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, trace_id, reason, attempted_at)
select id, 1, 'retryable', 500, 'TraceA', 'HTTP 500', now() - interval '5 minutes' from public.conversion_outbox where event_id = 'cs_ops_2';
insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, trace_id, reason, attempted_at)
select id, 3, 'auth', 401, 'TraceB', 'Invalid OAuth access token', now() - interval '2 days' from public.conversion_outbox where event_id = 'cs_ops_3';

do $$
declare
  s jsonb := public.ops_status('{"destinations": ["meta", "tiktok", "pinterest"]}');
  m jsonb := s -> 'destinations' -> 'meta';
  t jsonb := s -> 'destinations' -> 'tiktok';
  today jsonb;
  r jsonb;
  red jsonb;
  ret jsonb;
begin
  -- status
  assert m -> 'counts' = '{"held":0,"pending":1,"sending":0,"delivered":2,"skipped":0,"dead":2,"cancelled":0}', format('meta counts %s', m -> 'counts');
  assert (m ->> 'oldest_due_age_s')::int between 299 and 310, format('oldest due age %s', m ->> 'oldest_due_age_s');
  assert t -> 'oldest_due_age_s' = 'null', 'tiktok has nothing due now';
  assert s -> 'destinations' -> 'pinterest' -> 'counts' ->> 'pending' = '0', 'a named destination without rows is listed';
  assert m -> 'last_failure' ->> 'trace_id' = 'TraceA' and m -> 'last_failure' ->> 'event_name' = 'Purchase', format('last failure %s', m -> 'last_failure');
  assert m ->> 'last_delivered_at' is not null, 'last delivery time';
  assert jsonb_array_length(m -> 'daily') = 14, 'fourteen days';
  today := m -> 'daily' -> 13;
  assert today ->> 'day' = ((now() at time zone 'UTC')::date)::text, format('last day is today: %s', today);
  assert (today ->> 'delivered')::int = 2 and (today ->> 'retrying')::int = 1, format('today %s', today);
  assert ((m -> 'daily' -> 11) ->> 'dead')::int = 1, 'dead two days ago';
  assert ((t -> 'daily' -> 13) ->> 'skipped')::int = 1, 'skipped today';
  assert s -> 'stripe' -> 'events_24h' = '{"processed":1,"ignored":1}', format('events 24h %s', s -> 'stripe' -> 'events_24h');
  assert s -> 'stripe' -> 'purchases' = '{"pending":1,"paid":1,"free":0,"failed":0,"expired":0}', 'purchases by status';
  assert jsonb_array_length(m -> 'recent_failures') = 3, format('recent failures %s', m -> 'recent_failures');

  -- report
  r := public.ops_report('{"days": 14}');
  assert (select count(*) from jsonb_array_elements(r -> 'days') d
           where d ->> 'destination' = 'meta' and d ->> 'day' = ((now() at time zone 'UTC')::date)::text
             and (d ->> 'purchases_paid')::int = 1 and (d ->> 'delivered')::int = 2 and (d ->> 'retrying')::int = 1) = 1,
    format('report days %s', r -> 'days');
  assert (select (d ->> 'count')::int from jsonb_array_elements(r -> 'reasons') d
           where d ->> 'destination' = 'meta' and d ->> 'status' = 'dead') = 2, format('dead reasons grouped %s', r -> 'reasons');
  assert (r -> 'coverage' -> 0 ->> 'destination') = 'meta' and (r -> 'coverage' -> 0 ->> 'delivered')::int = 2
     and r -> 'coverage' -> 0 -> 'keys' ->> 'email' = '2' and r -> 'coverage' -> 0 -> 'keys' ->> 'ip' = '1'
     and r -> 'coverage' -> 0 -> 'keys' ->> 'ttclid' = '0', format('coverage %s', r -> 'coverage');

  -- redrive: dry run changes nothing; the old row is refused with the platform's limit
  red := public.ops_redrive('{"destination": "meta", "reason": "oauth", "dry_run": true, "max_age_seconds": {"meta": 601200}}');
  assert (red ->> 'requeued')::int = 1 and red -> 'refused' -> 0 ->> 'reason' = 'older than meta accepts (167 h)', format('dry run %s', red);
  assert (select count(*) from public.conversion_outbox where status = 'dead') = 2, 'dry run changed nothing';
  red := public.ops_redrive('{"destination": "meta", "event_id": "nope", "max_age_seconds": {"meta": 601200}}');
  assert (red ->> 'requeued')::int = 0, 'event id filter';
  red := public.ops_redrive('{"destination": "meta", "reason": "OAuth", "max_age_seconds": {"meta": 601200}}');
  assert (red ->> 'requeued')::int = 1, format('redrive %s', red);
  assert (select status from public.conversion_outbox where event_id = 'cs_ops_3') = 'pending', 'fresh dead row is due again';
  assert (select status from public.conversion_outbox where event_id = 'cs_ops_4') = 'dead', 'old dead row stays dead';
  red := public.ops_redrive('{"statuses": ["skipped"], "since": "2000-01-01T00:00:00Z"}');
  assert (red ->> 'requeued')::int = 1, 'skipped rows on request';

  -- retention
  ret := public.ops_retention('{"outbox_days": 30, "stripe_event_days": 90}');
  assert ret = '{"outbox_cleared":1,"stripe_events_cleared":1}', format('retention %s', ret);
  assert (select payload is null and payload_cleared_at is not null and status = 'delivered' and match_keys = array['email', 'ttclid']
            from public.conversion_outbox where event_id = 'cs_ops_old'), 'outcome and match keys kept, payload gone';
  assert (select payload is not null from public.conversion_outbox where event_id = 'cs_ops_sub'), 'live subscription source kept';
  assert (select payload is not null from public.conversion_outbox where event_id = 'cs_ops_stuck'), 'unfinished rows kept';
  assert (select payload is null and outcome = 'processed' from public.stripe_events where id = 'evt_ops_old'), 'old event payload cleared';
  assert (select payload is not null from public.stripe_events where id = 'evt_ops_new'), 'recent event kept';
  assert public.ops_retention('{}') = '{"outbox_cleared":0,"stripe_events_cleared":0}', 'a second run clears nothing';

  -- once the subscription ends, its source conversion goes too
  update public.subscriptions set status = 'canceled', ended_at = now() where id = 'sub_ops_live';
  assert (public.ops_retention('{}') ->> 'outbox_cleared')::int = 1, 'ended subscription cleared';
end
$$;
