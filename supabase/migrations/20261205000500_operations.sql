-- Operations: what the status page, `npm run report`, `npm run redrive` and the scheduled retention
-- ask the database. Each is one read-only or one-transaction SQL function, so every store (direct
-- Postgres, PostgREST rpc, PGlite) answers it in one call.

-- Retention clears payloads and says when; the row and its outcome stay for the report.
alter table public.conversion_outbox add column payload_cleared_at timestamptz;
alter table public.stripe_events alter column payload drop not null;
alter table public.stripe_events add column payload_cleared_at timestamptz;

-- The status page's 14-day chart and the report read recent rows by these.
create index conversion_outbox_event_time_idx on public.conversion_outbox (event_time);
create index conversion_outbox_updated_at_idx on public.conversion_outbox (updated_at);
create index delivery_attempts_attempted_at_idx on public.delivery_attempts (attempted_at);
create index stripe_events_received_at_idx on public.stripe_events (received_at);
-- Retention runs with every drain: these keep it to the rows it may clear.
create index conversion_outbox_retention_idx on public.conversion_outbox ((coalesce(delivered_at, updated_at)))
  where payload is not null and status in ('delivered', 'skipped', 'dead', 'cancelled');
create index stripe_events_retention_idx on public.stripe_events (received_at) where payload is not null;

-- Everything `tracking-status` shows, in one call. `p.destinations`: the names to report even when
-- they have no rows yet. JIT is off here and in ops_report: the planner's estimate for the
-- per-destination subqueries crosses PostgreSQL's JIT threshold, and compiling then took seconds
-- where the query takes milliseconds (bench/ops-queries.ts). Days are UTC; a final row's day is
-- when it got there (updated_at, which retention leaves alone). Each table is read once per figure,
-- whatever the number of days. No personal data: reasons and trace ids are what the platforms answered (the classifiers keep them
-- free of identifiers), event names are the platforms'.
create function public.ops_status(p jsonb) returns jsonb
language plpgsql stable security definer set search_path = '' set jit = off as $$
declare
  v_now timestamptz := now();
  v_today date := (now() at time zone 'UTC')::date;
  v_from timestamptz := ((now() at time zone 'UTC')::date - 13)::timestamp at time zone 'UTC';
  v_destinations jsonb;
  v_stripe jsonb;
begin
  -- Materialized: the per-destination subqueries below must read these results, not re-run them.
  with counts as materialized (
    select o.destination, o.status, count(*) as n from public.conversion_outbox o group by 1, 2
  ), names as (
    select jsonb_array_elements_text(coalesce(p -> 'destinations', '[]'::jsonb)) as name
    union select destination from counts
  ), finals as materialized (
    select o.destination, (o.updated_at at time zone 'UTC')::date as day,
           count(*) filter (where o.status = 'delivered') as delivered,
           count(*) filter (where o.status = 'dead') as dead,
           count(*) filter (where o.status = 'skipped') as skipped
      from public.conversion_outbox o
     where o.updated_at >= v_from and o.status in ('delivered', 'dead', 'skipped')
     group by 1, 2
  ), retries as materialized (
    -- Failed attempts that will be tried again (the last one of a row that gives up counts as dead).
    select o.destination, (a.attempted_at at time zone 'UTC')::date as day, count(*) as retrying
      from public.delivery_attempts a join public.conversion_outbox o on o.id = a.outbox_id
     where a.attempted_at >= v_from and a.outcome = 'retryable' and a.attempt < o.max_attempts
     group by 1, 2
  ), days as (
    select v_today - i as day from generate_series(0, 13) as i
  )
  select coalesce(jsonb_object_agg(d.name, jsonb_build_object(
      'counts', (select jsonb_object_agg(s.status, coalesce((select c.n from counts c where c.destination = d.name and c.status = s.status), 0))
                   from unnest(array['held', 'pending', 'sending', 'delivered', 'skipped', 'dead', 'cancelled']) as s(status)),
      'oldest_due_age_s', (select floor(extract(epoch from v_now - min(o.next_attempt_at)))::bigint
                             from public.conversion_outbox o
                            where o.destination = d.name and o.next_attempt_at <= v_now
                              and (o.status = 'pending' or (o.status = 'sending' and o.locked_until < v_now))),
      'last_delivered_at', (select o.delivered_at from public.conversion_outbox o
                             where o.destination = d.name and o.status = 'delivered'
                             order by o.updated_at desc limit 1),
      'last_failure', (select jsonb_build_object('at', a.attempted_at, 'event_name', o.event_name,
                                                 'outcome', a.outcome, 'reason', a.reason, 'http_status', a.http_status,
                                                 'platform_code', a.platform_code, 'trace_id', a.trace_id)
                         from public.delivery_attempts a join public.conversion_outbox o on o.id = a.outbox_id
                        where o.destination = d.name and a.outcome in ('retryable', 'permanent', 'auth', 'expired')
                        order by a.attempted_at desc, a.id desc limit 1),
      'recent_failures', (select coalesce(jsonb_agg(f order by f.at desc), '[]'::jsonb) from (
                            select o.event_name, o.status, o.last_error as reason, o.last_http_status as http_status,
                                   o.platform_code, o.trace_id, o.updated_at as at
                              from public.conversion_outbox o
                             where o.destination = d.name and (o.status = 'dead' or (o.status = 'pending' and o.attempts > 0))
                             order by o.updated_at desc, o.id desc limit 10) f),
      'daily', (select jsonb_agg(jsonb_build_object(
                    'day', x.day,
                    'delivered', coalesce(f.delivered, 0),
                    'retrying', coalesce(r.retrying, 0),
                    'dead', coalesce(f.dead, 0),
                    'skipped', coalesce(f.skipped, 0)) order by x.day)
                  from days x
                  left join finals f on f.destination = d.name and f.day = x.day
                  left join retries r on r.destination = d.name and r.day = x.day)
    )), '{}'::jsonb)
    into v_destinations
    from (select distinct name from names) d;

  v_stripe := jsonb_build_object(
    'events_24h', (select jsonb_build_object(
                     'processed', count(*) filter (where outcome = 'processed'),
                     'ignored', count(*) filter (where outcome = 'ignored'))
                     from public.stripe_events where received_at > v_now - interval '24 hours'),
    'last_event_at', (select max(received_at) from public.stripe_events),
    'purchases', (select jsonb_object_agg(s.status, coalesce(c.n, 0))
                    from unnest(array['pending', 'paid', 'free', 'failed', 'expired']) as s(status)
                    left join (select status, count(*) as n from public.purchases group by 1) c on c.status = s.status));

  return jsonb_build_object('generated_at', v_now, 'destinations', v_destinations, 'stripe', v_stripe);
end
$$;

-- `npm run report`: per UTC day (of the conversion's event time, and of the purchase's payment) and
-- destination, paid purchases against conversions by outcome; reasons of dead and skipped rows
-- grouped; match-key coverage of delivered rows. `p.since` (timestamptz), else `p.days` (default 14).
create function public.ops_report(p jsonb) returns jsonb
language plpgsql stable security definer set search_path = '' set jit = off as $$
declare
  v_since timestamptz := coalesce((p ->> 'since')::timestamptz,
                                  date_trunc('day', now() at time zone 'UTC') at time zone 'UTC'
                                  - make_interval(days => greatest(coalesce((p ->> 'days')::integer, 14), 1) - 1));
  v_days jsonb;
  v_reasons jsonb;
  v_coverage jsonb;
begin
  with per_day as materialized (
    select o.destination, (o.event_time at time zone 'UTC')::date as day,
           count(*) filter (where o.status = 'delivered') as delivered,
           count(*) filter (where o.status in ('pending', 'sending')) as retrying,
           count(*) filter (where o.status = 'dead') as dead,
           count(*) filter (where o.status = 'skipped') as skipped
      from public.conversion_outbox o where o.event_time >= v_since group by 1, 2
  ), paid as materialized (
    select (pu.paid_at at time zone 'UTC')::date as day, count(*) as n
      from public.purchases pu where pu.status = 'paid' and pu.paid_at >= v_since group by 1
  ), keys as (
    select day, destination from per_day
    union select pd.day, dn.destination from paid pd cross join (select distinct destination from per_day) dn
  )
  select coalesce(jsonb_agg(jsonb_build_object(
           'day', k.day, 'destination', k.destination,
           'purchases_paid', coalesce(pd.n, 0),
           'delivered', coalesce(r.delivered, 0), 'retrying', coalesce(r.retrying, 0),
           'dead', coalesce(r.dead, 0), 'skipped', coalesce(r.skipped, 0))
         order by k.day, k.destination), '[]'::jsonb)
    into v_days
    from keys k
    left join per_day r on r.day = k.day and r.destination = k.destination
    left join paid pd on pd.day = k.day;

  select coalesce(jsonb_agg(jsonb_build_object('destination', destination, 'status', status, 'reason', reason, 'count', n)
                            order by destination, status, n desc, reason), '[]'::jsonb)
    into v_reasons
    from (select o.destination, o.status, coalesce(o.last_error, '(no reason recorded)') as reason, count(*) as n
            from public.conversion_outbox o
           where o.event_time >= v_since and o.status in ('dead', 'skipped')
           group by 1, 2, 3) g;

  select coalesce(jsonb_agg(jsonb_build_object(
           'destination', c.destination, 'delivered', c.n,
           'keys', jsonb_build_object('email', c.email, 'phone', c.phone, 'external_id', c.external_id, 'ip', c.ip,
                                      'user_agent', c.user_agent, 'fbc', c.fbc, 'fbp', c.fbp, 'ttclid', c.ttclid, 'ttp', c.ttp))
         order by c.destination), '[]'::jsonb)
    into v_coverage
    from (select o.destination, count(*) as n,
                 count(*) filter (where 'email' = any(o.match_keys)) as email,
                 count(*) filter (where 'phone' = any(o.match_keys)) as phone,
                 count(*) filter (where 'external_id' = any(o.match_keys)) as external_id,
                 count(*) filter (where 'ip' = any(o.match_keys)) as ip,
                 count(*) filter (where 'user_agent' = any(o.match_keys)) as user_agent,
                 count(*) filter (where 'fbc' = any(o.match_keys)) as fbc,
                 count(*) filter (where 'fbp' = any(o.match_keys)) as fbp,
                 count(*) filter (where 'ttclid' = any(o.match_keys)) as ttclid,
                 count(*) filter (where 'ttp' = any(o.match_keys)) as ttp
            from public.conversion_outbox o
           where o.status = 'delivered' and o.event_time >= v_since group by 1) c;

  return jsonb_build_object('since', v_since, 'days', v_days, 'reasons', v_reasons, 'coverage', v_coverage);
end
$$;

-- `npm run redrive`: dead (and, asked, skipped) rows back to due. Filters: destination, since (event
-- time), reason (substring of the kept reason, case-insensitive), event_id. A row the platform would
-- refuse as too old (`p.max_age_seconds`, per destination, from the destination modules) or whose
-- payload retention has cleared is left as it is and counted with that reason: it is never sent.
-- `dry_run` counts without changing anything.
create function public.ops_redrive(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_statuses text[];
  v_dry boolean := coalesce((p ->> 'dry_run')::boolean, false);
  v_requeued integer := 0;
  v_refused jsonb;
begin
  select coalesce(array_agg(s), array['dead']) into v_statuses
    from jsonb_array_elements_text(coalesce(p -> 'statuses', '[]'::jsonb)) s;
  if exists (select 1 from unnest(v_statuses) s where s not in ('dead', 'skipped')) then
    raise exception 'only dead or skipped conversions can be redriven' using errcode = '22023';
  end if;

  with candidates as (
    select o.id,
           case
             when o.payload is null then 'payload cleared (retention, cancellation or consent): nothing to send'
             when (p -> 'max_age_seconds' ->> o.destination) is not null
                  and o.event_time < now() - make_interval(secs => (p -> 'max_age_seconds' ->> o.destination)::double precision)
             then format('older than %s accepts (%s h)', o.destination, (p -> 'max_age_seconds' ->> o.destination)::bigint / 3600)
           end as refusal
      from public.conversion_outbox o
     where o.status = any(v_statuses)
       and (p ->> 'destination' is null or o.destination = p ->> 'destination')
       and (p ->> 'since' is null or o.event_time >= (p ->> 'since')::timestamptz)
       and (p ->> 'reason' is null or strpos(lower(coalesce(o.last_error, '')), lower(p ->> 'reason')) > 0)
       and (p ->> 'event_id' is null or o.event_id = p ->> 'event_id')
       for update of o
  ), moved as (
    update public.conversion_outbox o
       set status = 'pending', attempts = 0, next_attempt_at = now(), last_error = null,
           locked_until = null, lease_token = null, updated_at = now()
      from candidates c
     where c.id = o.id and c.refusal is null and not v_dry
    returning o.id
  )
  select case when v_dry then (select count(*) from candidates where refusal is null) else (select count(*) from moved) end,
         (select coalesce(jsonb_agg(jsonb_build_object('reason', r.refusal, 'count', r.n) order by r.refusal), '[]'::jsonb)
            from (select refusal, count(*) as n from candidates where refusal is not null group by 1) r)
    into v_requeued, v_refused;

  return jsonb_build_object('dry_run', v_dry, 'requeued', v_requeued, 'refused', v_refused);
end
$$;

-- The scheduled drain's retention: payloads (hashed identifiers, IP, user agent, click ids) of final
-- rows after `outbox_days`, and Stripe event payloads after `stripe_event_days`. Status, reason,
-- attempts and match_keys stay, so the report still counts them. A live subscription's checkout-born
-- conversions keep their payload: trial conversions and renewals are copied from them in SQL.
create function public.ops_retention(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_outbox_days integer := greatest(coalesce((p ->> 'outbox_days')::integer, 30), 1);
  v_event_days integer := greatest(coalesce((p ->> 'stripe_event_days')::integer, 90), 1);
  v_outbox integer;
  v_events integer;
begin
  update public.conversion_outbox o
     set payload = null, payload_cleared_at = now()
   where o.payload is not null
     and o.status in ('delivered', 'skipped', 'dead', 'cancelled')
     and coalesce(o.delivered_at, o.updated_at) < now() - make_interval(days => v_outbox_days)
     and not (o.kind in ('purchase', 'subscribe', 'start_trial') and o.subscription_id is not null
              and exists (select 1 from public.subscriptions s where s.id = o.subscription_id
                             and s.ended_at is null and s.status not in ('canceled', 'incomplete_expired')));
  get diagnostics v_outbox = row_count;

  update public.stripe_events e
     set payload = null, payload_cleared_at = now()
   where e.payload is not null and e.received_at < now() - make_interval(days => v_event_days);
  get diagnostics v_events = row_count;

  return jsonb_build_object('outbox_cleared', v_outbox, 'stripe_events_cleared', v_events);
end
$$;

-- Superseded by ops_redrive (filters, age refusal, dry run); `npm run drain -- --requeue-*` uses it.
drop function public.outbox_requeue(jsonb);

revoke all on function public.ops_status(jsonb), public.ops_report(jsonb), public.ops_redrive(jsonb),
  public.ops_retention(jsonb) from public, anon, authenticated;
grant execute on function public.ops_status(jsonb), public.ops_report(jsonb), public.ops_redrive(jsonb),
  public.ops_retention(jsonb) to service_role;
revoke all on all functions in schema app_private from public, anon, authenticated;
