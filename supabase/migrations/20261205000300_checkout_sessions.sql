-- Conversions that no Stripe event caused: the InitiateCheckout queued when a Checkout Session is
-- created, and the funnel's browser and server events (`track`). And the one read checkout creation
-- needs: the Stripe Customer already known for a signed-in user, so a returning buyer keeps one.

-- Inserts outbox rows, each as src/conversions/outbox-rows.ts builds them plus `origin`:
--   {"rows": [{destination, event_name, event_id, kind, origin, livemode, event_time (Unix s),
--              payload, status: 'pending' | 'skipped', last_error}]}
-- A row already queued (same destination × event name × event id) is left as it is: a page that
-- posts twice, or a retried request, is counted as a duplicate and queues nothing. A skipped row
-- (consent denied) keeps no payload, only its reason. Answers {"ids": [new rows], "duplicates": n}.
create function public.outbox_enqueue(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_rows jsonb := coalesce(p -> 'rows', '[]'::jsonb);
  v_ids bigint[];
begin
  if jsonb_typeof(v_rows) <> 'array' then
    raise exception 'outbox_enqueue: rows must be an array' using errcode = '22023';
  end if;
  -- track takes 20 events a request, for two destinations; this is a sanity bound, not a quota.
  if jsonb_array_length(v_rows) > 200 then
    raise exception 'outbox_enqueue: at most 200 rows per call' using errcode = '22023';
  end if;
  if exists (
    select 1 from jsonb_array_elements(v_rows) r
     where coalesce(r ->> 'origin', '') not in ('checkout', 'browser', 'server')
        or coalesce(r ->> 'status', 'pending') not in ('pending', 'skipped')
        or coalesce(r ->> 'destination', '') = '' or coalesce(r ->> 'event_name', '') = ''
        or coalesce(r ->> 'event_id', '') = '' or length(r ->> 'event_id') > 255
        or jsonb_typeof(r -> 'event_time') is distinct from 'number'
        or (coalesce(r ->> 'status', 'pending') = 'pending' and jsonb_typeof(r -> 'payload') is distinct from 'object')
  ) then
    raise exception 'outbox_enqueue: a row lacks its destination, name, id, time or payload, or has an unknown origin or status'
      using errcode = '22023';
  end if;

  with inserted as (
    insert into public.conversion_outbox as o (
      destination, event_name, event_id, kind, origin, livemode, payload, status, last_error, event_time)
    select r ->> 'destination', r ->> 'event_name', r ->> 'event_id', r ->> 'kind', r ->> 'origin',
           coalesce((r ->> 'livemode')::boolean, false),
           case when r ->> 'status' = 'skipped' then null else r -> 'payload' end,
           coalesce(r ->> 'status', 'pending'),
           case when r ->> 'status' = 'skipped' then coalesce(r ->> 'last_error', 'skipped') end,
           to_timestamp((r ->> 'event_time')::bigint)
      from jsonb_array_elements(v_rows) with ordinality as x(r, ord)
     order by x.ord
    on conflict (destination, event_name, event_id) do nothing
    returning o.id
  )
  select coalesce(array_agg(id order by id), '{}') into v_ids from inserted;

  return jsonb_build_object(
    'ids', to_jsonb(v_ids),
    'duplicates', jsonb_array_length(v_rows) - cardinality(v_ids));
end
$$;

-- The Stripe Customer of a signed-in user ({"user_id", "livemode"} → {"stripe_customer_id"}): the
-- one the user's latest purchase in this mode was made with, or null. Read before the session is
-- created (the session's id, which the queued conversion needs, only exists after), hence its own
-- call. user_id is the verified token's subject, never what a request says.
create function public.checkout_customer(p jsonb) returns jsonb
language sql stable security definer set search_path = '' as $$
  select jsonb_build_object('stripe_customer_id', (
    select c.stripe_customer_id
      from public.customers c
     where c.user_id = p ->> 'user_id'
       and c.livemode = coalesce((p ->> 'livemode')::boolean, false)
       and c.stripe_customer_id is not null
     order by c.updated_at desc, c.customer_key
     limit 1))
$$;

revoke all on function public.outbox_enqueue(jsonb), public.checkout_customer(jsonb)
  from public, anon, authenticated;
grant execute on function public.outbox_enqueue(jsonb), public.checkout_customer(jsonb) to service_role;
