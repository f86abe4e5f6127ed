-- The outbox state machine, exercised through its SQL functions only. Runs inside a transaction
-- that the test runner rolls back; any failed assertion raises.

insert into public.stripe_events (id, type, livemode, stripe_created, payload, outcome)
values ('evt_sqltest', 'checkout.session.completed', false, now(), '{}', 'processed');

insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
values ('tiktok', 'CompletePayment', 'cs_sql_1', 'purchase', false, '{"eventId":"cs_sql_1"}', now(), 'evt_sqltest'),
       ('meta', 'Purchase', 'cs_sql_1', 'purchase', false, '{"eventId":"cs_sql_1"}', now(), 'evt_sqltest');

do $$
declare
  claimed jsonb;
  r jsonb;
  row_ public.conversion_outbox;
  res jsonb;
begin
  -- Backoff: exponential from 30 s, capped at 6 h, a longer platform hint wins.
  assert app_private.backoff(1, null) = interval '30 seconds', 'first backoff is 30 s';
  assert app_private.backoff(2, null) = interval '60 seconds', 'second backoff doubles';
  assert app_private.backoff(30, null) = interval '6 hours', 'backoff is capped at 6 h';
  assert app_private.backoff(1, 600) = interval '600 seconds', 'retry-after hint wins when longer';

  -- Claim takes both due rows, leases them and counts the attempt.
  claimed := public.outbox_claim('{"limit": 10, "lease_seconds": 60}') -> 'rows';
  assert jsonb_array_length(claimed) = 2, 'both due rows are claimed';
  r := claimed -> 0;
  assert (r ->> 'attempts')::int = 1, 'attempt counted at claim';
  assert r ->> 'lease_token' is not null, 'a lease token is handed out';
  assert jsonb_array_length(public.outbox_claim('{"limit": 10}') -> 'rows') = 0, 'leased rows are not claimed twice';

  -- A completion with a wrong lease token is ignored.
  res := public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
    'id', r -> 'id', 'lease_token', gen_random_uuid(), 'outcome', 'delivered'))));
  assert (res ->> 'stale')::int = 1 and (res ->> 'completed')::int = 0, 'stale lease is refused';

  -- Retryable: back to pending with backoff, attempt logged.
  res := public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
    'id', r -> 'id', 'lease_token', r -> 'lease_token', 'outcome', 'retryable', 'reason', 'HTTP 503',
    'http_status', 503))));
  select * into row_ from public.conversion_outbox where id = (r ->> 'id')::bigint;
  assert row_.status = 'pending', 'retryable goes back to pending';
  assert row_.next_attempt_at = now() + interval '30 seconds', 'first retry after 30 s';
  assert row_.last_error = 'HTTP 503' and row_.lease_token is null, 'reason kept, lease released';
  assert (select count(*) from public.delivery_attempts where outbox_id = row_.id) = 1, 'attempt logged';
  assert jsonb_array_length(public.outbox_claim('{"limit": 10}') -> 'rows') = 0, 'not due before its backoff';

  -- Permanent: dead with the platform's reason.
  r := claimed -> 1;
  perform public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
    'id', r -> 'id', 'lease_token', r -> 'lease_token', 'outcome', 'permanent',
    'reason', 'Invalid parameter', 'platform_code', '100/2804009'))));
  select * into row_ from public.conversion_outbox where id = (r ->> 'id')::bigint;
  assert row_.status = 'dead' and row_.last_error = 'Invalid parameter' and row_.platform_code = '100/2804009',
    'permanent rejection is dead-lettered with its reason';

  -- A redrive brings it back with a fresh attempt budget.
  assert (public.ops_redrive('{"statuses": ["dead"]}') ->> 'requeued')::int = 1, 'dead row requeued';
  select * into row_ from public.conversion_outbox where id = (r ->> 'id')::bigint;
  assert row_.status = 'pending' and row_.attempts = 0, 'requeued row is pending again';
end
$$;

-- A lease that ran out is reclaimed; after the last allowed attempt the row goes dead instead.
do $$
declare
  claimed jsonb;
  v_id bigint;
  row_ public.conversion_outbox;
begin
  select id into v_id from public.conversion_outbox where destination = 'meta';
  claimed := public.outbox_claim(jsonb_build_object('ids', jsonb_build_array(v_id))) -> 'rows';
  assert jsonb_array_length(claimed) = 1, 'claim by id';
  update public.conversion_outbox set locked_until = now() - interval '1 second' where id = v_id;
  claimed := public.outbox_claim(jsonb_build_object('ids', jsonb_build_array(v_id))) -> 'rows';
  assert jsonb_array_length(claimed) = 1 and (claimed -> 0 ->> 'attempts')::int = 2, 'expired lease reclaimed';

  update public.conversion_outbox set locked_until = now() - interval '1 second', attempts = max_attempts where id = v_id;
  claimed := public.outbox_claim(jsonb_build_object('ids', jsonb_build_array(v_id))) -> 'rows';
  select * into row_ from public.conversion_outbox where id = v_id;
  assert jsonb_array_length(claimed) = 0 and row_.status = 'dead', 'a row whose every lease ran out goes dead';
  assert row_.last_error like '%lease expired after 15 attempts%', 'with a reason';
end
$$;

-- Retryable on the last attempt: dead, saying it gave up. Skipped: not an attempt.
do $$
declare
  claimed jsonb;
  r jsonb;
  row_ public.conversion_outbox;
begin
  update public.conversion_outbox set status = 'pending', next_attempt_at = now(), attempts = 14, locked_until = null
   where destination = 'tiktok';
  r := (public.outbox_claim('{"limit": 1}') -> 'rows') -> 0;
  assert (r ->> 'attempts')::int = 15, 'last allowed attempt';
  perform public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
    'id', r -> 'id', 'lease_token', r -> 'lease_token', 'outcome', 'retryable', 'reason', 'timeout'))));
  select * into row_ from public.conversion_outbox where id = (r ->> 'id')::bigint;
  assert row_.status = 'dead' and row_.last_error = 'gave up after 15 attempts: timeout', 'gives up after max attempts';

  -- Back in the queue by hand, due now: giving up left next_attempt_at at now() + the last backoff.
  update public.conversion_outbox set status = 'pending', attempts = 0, next_attempt_at = now() where id = row_.id;
  r := (public.outbox_claim('{"limit": 1}') -> 'rows') -> 0;
  assert r is not null, 'the row put back is claimed';
  perform public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
    'id', r -> 'id', 'lease_token', r -> 'lease_token', 'outcome', 'skipped', 'reason', 'tiktok is off'))));
  select * into row_ from public.conversion_outbox where id = (r ->> 'id')::bigint;
  assert row_.status = 'skipped' and row_.attempts = 0, 'skipping makes no attempt';
end
$$;
