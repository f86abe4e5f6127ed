-- The outbox state machine. TypeScript only claims, completes and requeues; every transition and
-- the backoff live here.
--
--   held ──paid──▶ pending ──claim──▶ sending ──delivered──▶ delivered
--     │                ▲                 │ ──permanent/auth/expired──▶ dead (reason kept)
--     └─failed/expired─┼──▶ cancelled    │ ──skipped (off, test mode, consent)──▶ skipped
--                      └──retryable──────┘ (next_attempt_at = now() + backoff; dead after max_attempts)
--
-- A lease (locked_until + lease_token) makes a crashed worker's rows claimable again, and the token
-- stops a worker whose lease ran out from completing a row another worker has since claimed.

-- 30 s, 1 min, 2 min … capped at 6 h; a platform's own retry-after hint wins when it is longer.
create function app_private.backoff(p_attempts integer, p_retry_after_seconds integer) returns interval
language sql immutable set search_path = '' as $$
  select greatest(
    least(interval '6 hours', interval '30 seconds' * power(2, least(greatest(p_attempts - 1, 0), 20))),
    make_interval(secs => coalesce(p_retry_after_seconds, 0)))
$$;

create function public.outbox_claim(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_limit integer := least(greatest(coalesce((p ->> 'limit')::integer, 100), 1), 1000);
  v_lease integer := least(greatest(coalesce((p ->> 'lease_seconds')::integer, 60), 5), 3600);
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
     and (v_ids is null or id = any(v_ids));

  with picked as (
    select o.id
      from public.conversion_outbox o
     where ((o.status = 'pending' and o.next_attempt_at <= now())
         or (o.status = 'sending' and o.locked_until < now()))
       and (v_ids is null or o.id = any(v_ids))
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

create function public.outbox_complete(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  r jsonb;
  v_row public.conversion_outbox;
  v_outcome text;
  v_reason text;
  v_completed integer := 0;
  v_stale integer := 0;
begin
  for r in select * from jsonb_array_elements(coalesce(p -> 'results', '[]'::jsonb)) loop
    v_outcome := r ->> 'outcome';
    v_reason := left(r ->> 'reason', 1000);
    if v_outcome not in ('delivered', 'retryable', 'permanent', 'auth', 'skipped', 'expired') then
      raise exception 'unknown delivery outcome %', v_outcome using errcode = '22023';
    end if;

    select * into v_row from public.conversion_outbox
     where id = (r ->> 'id')::bigint and status = 'sending' and lease_token = (r ->> 'lease_token')::uuid
     for update;
    if not found then
      v_stale := v_stale + 1;
      continue;
    end if;

    insert into public.delivery_attempts (outbox_id, attempt, outcome, http_status, platform_code, trace_id, latency_ms, reason)
    values (v_row.id, v_row.attempts, v_outcome, (r ->> 'http_status')::integer, r ->> 'platform_code',
            r ->> 'trace_id', (r ->> 'latency_ms')::integer, v_reason);

    update public.conversion_outbox o set
      status = case
        when v_outcome = 'delivered' then 'delivered'
        when v_outcome = 'skipped' then 'skipped'
        when v_outcome = 'retryable' and v_row.attempts < v_row.max_attempts then 'pending'
        else 'dead'
      end,
      -- Skipping and expiring make no request, so they are not delivery attempts.
      attempts = case when v_outcome in ('skipped', 'expired') then greatest(o.attempts - 1, 0) else o.attempts end,
      next_attempt_at = case
        when v_outcome = 'retryable' and v_row.attempts < v_row.max_attempts
        then now() + app_private.backoff(v_row.attempts, (r ->> 'retry_after_seconds')::integer)
        else o.next_attempt_at end,
      last_error = case
        when v_outcome = 'delivered' then v_reason
        when v_outcome = 'auth' then 'auth: ' || coalesce(v_reason, 'rejected credentials')
        when v_outcome = 'expired' then 'expired: ' || coalesce(v_reason, 'event too old for the platform')
        when v_outcome = 'retryable' and v_row.attempts >= v_row.max_attempts
        then 'gave up after ' || v_row.attempts || ' attempts: ' || coalesce(v_reason, 'retryable error')
        else v_reason end,
      last_http_status = (r ->> 'http_status')::integer,
      platform_code = r ->> 'platform_code',
      trace_id = coalesce(r ->> 'trace_id', o.trace_id),
      delivered_at = case when v_outcome = 'delivered' then now() else o.delivered_at end,
      locked_until = null,
      lease_token = null,
      updated_at = now()
    where o.id = v_row.id;
    v_completed := v_completed + 1;
  end loop;

  return jsonb_build_object('completed', v_completed, 'stale', v_stale);
end
$$;

-- Puts dead or skipped rows back in the queue, e.g. after fixing a token or turning a destination on.
create function public.outbox_requeue(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_statuses text[];
  v_ids bigint[];
  v_count integer;
begin
  select coalesce(array_agg(s), array['dead']) into v_statuses
    from jsonb_array_elements_text(coalesce(p -> 'statuses', '[]'::jsonb)) s;
  if exists (select 1 from unnest(v_statuses) s where s not in ('dead', 'skipped')) then
    raise exception 'only dead or skipped conversions can be requeued' using errcode = '22023';
  end if;
  if jsonb_typeof(p -> 'ids') = 'array' then
    select array_agg(x::bigint) into v_ids from jsonb_array_elements_text(p -> 'ids') x;
  end if;

  update public.conversion_outbox
     set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null, updated_at = now()
   where status = any(v_statuses)
     and payload is not null
     and (v_ids is null or id = any(v_ids))
     and (p ->> 'destination' is null or destination = p ->> 'destination');
  get diagnostics v_count = row_count;
  return jsonb_build_object('requeued', v_count);
end
$$;

revoke all on function public.outbox_claim(jsonb), public.outbox_complete(jsonb), public.outbox_requeue(jsonb)
  from public, anon, authenticated;
grant execute on function public.outbox_claim(jsonb), public.outbox_complete(jsonb), public.outbox_requeue(jsonb)
  to service_role;
revoke all on all functions in schema app_private from public, anon, authenticated;
