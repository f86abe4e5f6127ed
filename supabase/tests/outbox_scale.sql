-- Delivery at scale: claims of one destination, and outbox_complete for a whole platform request
-- (1,000 results) in one call, with stale and repeated results. Rolled back by the test runner.

insert into public.stripe_events (id, type, livemode, stripe_created, payload, outcome)
values ('evt_sqlscale', 'checkout.session.completed', false, now(), '{}', 'processed');

insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, payload, event_time, source_event_id)
select d, case d when 'tiktok' then 'CompletePayment' else 'Purchase' end, 'cs_scale_' || g, 'purchase', false,
       jsonb_build_object('eventId', 'cs_scale_' || g), now(), 'evt_sqlscale'
  from generate_series(1, 1000) g cross join (values ('tiktok'), ('meta')) v(d);

do $$
declare
  claimed jsonb;
  second jsonb;
  results jsonb;
  res jsonb;
begin
  -- A claim for one destination takes only its rows, and up to the limit.
  claimed := public.outbox_claim('{"destination": "meta", "limit": 1000, "lease_seconds": 60}') -> 'rows';
  assert jsonb_array_length(claimed) = 1000, 'a full batch of one destination';
  assert not exists (select 1 from jsonb_array_elements(claimed) r where r ->> 'destination' <> 'meta'),
    'only the named destination';
  assert (select count(*) from public.conversion_outbox where destination = 'tiktok' and status = 'pending') = 1000,
    'the other destination is untouched';
  second := public.outbox_claim('{"destination": "meta", "limit": 1000}') -> 'rows';
  assert jsonb_array_length(second) = 0, 'leased rows are not claimed again';

  -- 1,000 results in one call: 998 delivered, one permanent, one retryable with a platform hint.
  select jsonb_agg(jsonb_build_object(
           'id', r -> 'id', 'lease_token', r -> 'lease_token',
           'outcome', case n when 1 then 'permanent' when 2 then 'retryable' else 'delivered' end,
           'reason', case n when 1 then 'Invalid parameter' when 2 then 'rate limited' end,
           'retry_after_seconds', case n when 2 then 600 end,
           'http_status', case n when 2 then 429 else 200 end,
           'trace_id', 'T' || n) order by n)
    into results
    from jsonb_array_elements(claimed) with ordinality as e(r, n);
  -- A repeated result and a wrong lease token: both stale, neither changes a row.
  results := results
    || jsonb_build_array(results -> 5 || '{"outcome": "permanent"}')
    || jsonb_build_array(jsonb_build_object('id', claimed -> 0 -> 'id', 'lease_token', gen_random_uuid(), 'outcome', 'delivered'));
  res := public.outbox_complete(jsonb_build_object('results', results));
  assert (res ->> 'completed')::int = 1000, 'every leased row completed: ' || res;
  assert (res ->> 'stale')::int = 2, 'the repeat and the wrong token are stale: ' || res;

  assert (select count(*) from public.conversion_outbox where destination = 'meta' and status = 'delivered') = 998, 'delivered';
  assert (select count(*) from public.conversion_outbox
           where destination = 'meta' and status = 'delivered' and delivered_at = now() and lease_token is null) = 998,
    'delivered rows are dated and released';
  assert exists (select 1 from public.conversion_outbox
                  where id = (claimed -> 0 ->> 'id')::bigint and status = 'dead' and last_error = 'Invalid parameter'),
    'the permanent one is dead with its reason';
  assert exists (select 1 from public.conversion_outbox
                  where id = (claimed -> 1 ->> 'id')::bigint and status = 'pending' and attempts = 1
                    and next_attempt_at = now() + interval '600 seconds' and last_http_status = 429),
    'the retryable one waits for the platform''s hint';
  assert exists (select 1 from public.conversion_outbox
                  where id = (claimed -> 5 ->> 'id')::bigint and status = 'delivered'),
    'the first result for a row wins over a repeat';
  assert (select count(*) from public.delivery_attempts a join public.conversion_outbox o on o.id = a.outbox_id
           where o.destination = 'meta') = 1000, 'one attempt logged per completed row';
  assert (select count(*) from public.delivery_attempts where trace_id = 'T3' and attempt = 1 and outcome = 'delivered') = 1,
    'attempt number and trace id logged';

  -- An unknown outcome refuses the whole call.
  begin
    perform public.outbox_complete(jsonb_build_object('results', jsonb_build_array(jsonb_build_object(
      'id', claimed -> 2 -> 'id', 'lease_token', claimed -> 2 -> 'lease_token', 'outcome', 'maybe'))));
    assert false, 'an unknown outcome must raise';
  exception when sqlstate '22023' then
    null;
  end;
end
$$;
