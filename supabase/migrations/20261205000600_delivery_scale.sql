-- Delivery at scale: claims of one destination (so several can run side by side per destination,
-- and a destination that asked to slow down is simply not claimed for), and a set-based
-- outbox_complete, so recording the 1,000 results of one platform request is a few statements, not
-- 3,000.

-- Due rows of one destination, oldest first: what a per-destination claim scans.
create index conversion_outbox_due_destination_idx
  on public.conversion_outbox (destination, next_attempt_at, id) where status = 'pending';

-- As before, plus an optional `destination`: only that destination's rows are claimed.
create or replace function public.outbox_claim(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_limit integer := least(greatest(coalesce((p ->> 'limit')::integer, 100), 1), 1000);
  v_lease integer := least(greatest(coalesce((p ->> 'lease_seconds')::integer, 60), 5), 3600);
  v_destination text := p ->> 'destination';
  v_ids bigint[];
  v_rows jsonb;
begin
  if jsonb_typeof(p -> 'ids') = 'array' then
    select array_agg(x::bigint) into v_ids from jsonb_array_elements_text(p -> 'ids') x;
    v_ids := coalesce(v_ids, '{}');
  end if;

  -- A row whose lease ran out after its last allowed attempt was never completed (worker killed
  -- mid-send, every time): stop reclaiming it.
  update public.conversion_outbox
     set status = 'dead', lease_token = null, locked_until = null, updated_at = now(),
         last_error = concat_ws('; ', last_error, 'lease expired after ' || attempts || ' attempts')
   where status = 'sending' and locked_until < now() and attempts >= max_attempts
     and (v_ids is null or id = any(v_ids))
     and (v_destination is null or destination = v_destination);

  with picked as (
    select o.id
      from public.conversion_outbox o
     where ((o.status = 'pending' and o.next_attempt_at <= now())
         or (o.status = 'sending' and o.locked_until < now()))
       and (v_ids is null or o.id = any(v_ids))
       and (v_destination is null or o.destination = v_destination)
     order by o.next_attempt_at, o.id
     for update skip locked
     limit v_limit
  ), claimed as (
    update public.conversion_outbox o
       set status = 'sending',
           attempts = o.attempts + 1,
           locked_until = now() + make_interval(secs => v_lease),
           lease_token = gen_random_uuid(),
           updated_at = now()
      from picked
     where o.id = picked.id
    returning o.id, o.destination, o.event_name, o.event_id, o.kind, o.livemode, o.payload, o.attempts,
              o.max_attempts, o.lease_token, extract(epoch from o.event_time)::bigint as event_time
  )
  select coalesce(jsonb_agg(to_jsonb(c) order by c.id), '[]'::jsonb) into v_rows from claimed c;

  return jsonb_build_object('rows', v_rows);
end
$$;

-- The same transitions as before, for every result at once. A result whose row is no longer
-- leased under its token (the lease ran out and another worker took it), or that repeats an id
-- already in this call, is counted as stale and changes nothing.
create or replace function public.outbox_complete(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_results jsonb := coalesce(p -> 'results', '[]'::jsonb);
  v_bad text;
  v_completed integer;
begin
  select coalesce(r ->> 'outcome', 'null') into v_bad
    from jsonb_array_elements(v_results) r
   where (r ->> 'outcome') is null
      or (r ->> 'outcome') not in ('delivered', 'retryable', 'permanent', 'auth', 'skipped', 'expired')
   limit 1;
  if v_bad is not null then
    raise exception 'unknown delivery outcome %', v_bad using errcode = '22023';
  end if;

  with input as (
    select distinct on ((r ->> 'id')::bigint)
           (r ->> 'id')::bigint as id,
           (r ->> 'lease_token')::uuid as lease_token,
           r ->> 'outcome' as outcome,
           left(r ->> 'reason', 1000) as reason,
           (r ->> 'http_status')::integer as http_status,
           r ->> 'platform_code' as platform_code,
           r ->> 'trace_id' as trace_id,
           (r ->> 'latency_ms')::integer as latency_ms,
           (r ->> 'retry_after_seconds')::integer as retry_after_seconds
      from jsonb_array_elements(v_results) with ordinality as e(r, n)
     order by (r ->> 'id')::bigint, n
  ), current as (
    -- attempts as claimed: the attempt number logged, and the base of the backoff.
    select o.id, o.attempts, o.max_attempts
      from public.conversion_outbox o
      join input i on i.id = o.id
     where o.status = 'sending' and o.lease_token = i.lease_token
     order by o.id
       for update of o
  ), logged as (
    insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, platform_code, trace_id, latency_ms, reason)
    select c.id, c.attempts, i.outcome, i.http_status, i.platform_code, i.trace_id, i.latency_ms, i.reason
      from current c join input i on i.id = c.id
     order by c.id
  ), updated as (
    update public.conversion_outbox o set
      status = case
        when i.outcome = 'delivered' then 'delivered'
        when i.outcome = 'skipped' then 'skipped'
        when i.outcome = 'retryable' and c.attempts < c.max_attempts then 'pending'
        else 'dead'
      end,
      -- Skipping and expiring make no request, so they are not delivery attempts.
      attempts = case when i.outcome in ('skipped', 'expired') then greatest(c.attempts - 1, 0) else c.attempts end,
      next_attempt_at = case
        when i.outcome = 'retryable' and c.attempts < c.max_attempts
        then now() + app_private.backoff(c.attempts, i.retry_after_seconds)
        else o.next_attempt_at end,
      last_error = case
        when i.outcome = 'delivered' then i.reason
        when i.outcome = 'auth' then 'auth: ' || coalesce(i.reason, 'rejected credentials')
        when i.outcome = 'expired' then 'expired: ' || coalesce(i.reason, 'event too old for the platform')
        when i.outcome = 'retryable' and c.attempts >= c.max_attempts
        then 'gave up after ' || c.attempts || ' attempts: ' || coalesce(i.reason, 'retryable error')
        else i.reason end,
      last_http_status = i.http_status,
      platform_code = i.platform_code,
      trace_id = coalesce(i.trace_id, o.trace_id),
      delivered_at = case when i.outcome = 'delivered' then now() else o.delivered_at end,
      locked_until = null,
      lease_token = null,
      updated_at = now()
      from current c join input i on i.id = c.id
     where o.id = c.id
    returning o.id
  )
  select count(*) into v_completed from updated;

  return jsonb_build_object('completed', v_completed, 'stale', jsonb_array_length(v_results) - v_completed);
end
$$;

revoke all on function public.outbox_claim(jsonb), public.outbox_complete(jsonb) from public, anon, authenticated;
grant execute on function public.outbox_claim(jsonb), public.outbox_complete(jsonb) to service_role;
