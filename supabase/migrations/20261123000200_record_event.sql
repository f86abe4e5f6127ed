-- The webhook's single write path: one call = one transaction that records the Stripe event,
-- provisions the purchase and writes its conversions to the outbox.
--
-- Idempotency comes from keys, never from read-then-write: a concurrent duplicate of the same event
-- blocks on the stripe_events primary key until the first transaction ends, then sees the conflict
-- (or proceeds if the first rolled back). Two different events for one purchase meet on the
-- purchases primary key and on the outbox's (destination, event_name, event_id).

create schema if not exists app_private;
revoke all on schema app_private from public;

-- Order of purchase states: a later event may only move a purchase forward, so an out-of-order
-- `completed (unpaid)` can never undo `async_payment_succeeded`.
create function app_private.purchase_status_rank(s text) returns integer
language sql immutable set search_path = '' as $$
  select case s
    when 'pending' then 0
    when 'failed' then 1
    when 'expired' then 1
    when 'free' then 2
    when 'paid' then 3
    else -1
  end
$$;

create function app_private.provision_checkout(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v_purchase jsonb := p_cmd -> 'purchase';
  v_customer jsonb := p_cmd -> 'customer';
  v_session text := v_purchase ->> 'checkout_session_id';
  v_customer_key text;
  v_status text;
  v_deliver bigint[];
begin
  if v_session is null then
    raise exception 'checkout command without checkout_session_id' using errcode = '22023';
  end if;

  if jsonb_typeof(v_customer) = 'object' then
    v_customer_key := v_customer ->> 'customer_key';
    insert into public.customers as c (customer_key, stripe_customer_id, user_id, email, name, phone, livemode)
    values (v_customer_key, v_customer ->> 'stripe_customer_id', v_customer ->> 'user_id', v_customer ->> 'email',
            v_customer ->> 'name', v_customer ->> 'phone', coalesce((v_customer ->> 'livemode')::boolean, false))
    on conflict (customer_key) do update set
      stripe_customer_id = coalesce(c.stripe_customer_id, excluded.stripe_customer_id),
      user_id = coalesce(c.user_id, excluded.user_id),
      email = coalesce(excluded.email, c.email),
      name = coalesce(excluded.name, c.name),
      phone = coalesce(excluded.phone, c.phone),
      updated_at = now();
  end if;

  insert into public.purchases as pu (
    checkout_session_id, customer_key, user_id, mode, status, payment_status, amount_total, currency,
    subscription_id, invoice_id, payment_intent_id, livemode, line_items, first_event_id, last_event_id, paid_at)
  values (
    v_session, v_customer_key, v_customer ->> 'user_id', v_purchase ->> 'mode', v_purchase ->> 'status', v_purchase ->> 'payment_status',
    (v_purchase ->> 'amount_total')::bigint, v_purchase ->> 'currency', v_purchase ->> 'subscription_id',
    v_purchase ->> 'invoice_id', v_purchase ->> 'payment_intent_id',
    coalesce((v_purchase ->> 'livemode')::boolean, false),
    case when jsonb_typeof(v_purchase -> 'line_items') = 'array' then v_purchase -> 'line_items' end,
    p_event_id, p_event_id,
    case when v_purchase ->> 'status' = 'paid' then now() end)
  on conflict (checkout_session_id) do update set
    status = case
      when app_private.purchase_status_rank(excluded.status) > app_private.purchase_status_rank(pu.status)
      then excluded.status else pu.status end,
    payment_status = case
      when app_private.purchase_status_rank(excluded.status) >= app_private.purchase_status_rank(pu.status)
      then excluded.payment_status else pu.payment_status end,
    customer_key = coalesce(pu.customer_key, excluded.customer_key),
    user_id = coalesce(pu.user_id, excluded.user_id),
    amount_total = coalesce(excluded.amount_total, pu.amount_total),
    currency = coalesce(excluded.currency, pu.currency),
    subscription_id = coalesce(excluded.subscription_id, pu.subscription_id),
    invoice_id = coalesce(excluded.invoice_id, pu.invoice_id),
    payment_intent_id = coalesce(excluded.payment_intent_id, pu.payment_intent_id),
    line_items = coalesce(excluded.line_items, pu.line_items),
    last_event_id = excluded.last_event_id,
    paid_at = coalesce(pu.paid_at, excluded.paid_at),
    updated_at = now()
  returning pu.status, pu.customer_key into v_status, v_customer_key;

  -- Access follows the purchase's resulting state, not the event's: whichever event makes it paid
  -- grants, and the unique (source_id, product_id) makes the grant happen once.
  if v_status in ('paid', 'free') and v_customer_key is not null then
    insert into public.entitlements as en (customer_key, user_id, source_type, source_id, product_id, price_id,
                                           quantity, status, reason, purchase_id)
    select v_customer_key, v_customer ->> 'user_id', e ->> 'source_type', e ->> 'source_id', e ->> 'product_id',
           e ->> 'price_id', (e ->> 'quantity')::integer, e ->> 'status', e ->> 'reason', v_session
    from jsonb_array_elements(coalesce(p_cmd -> 'entitlements', '[]'::jsonb)) e
    on conflict (source_id, product_id) do update set user_id = coalesce(en.user_id, excluded.user_id)
      where en.user_id is null;
  end if;

  insert into public.conversion_outbox as o (
    destination, event_name, event_id, kind, purchase_id, subscription_id, livemode, payload, status,
    last_error, event_time, source_event_id)
  select c ->> 'destination', c ->> 'event_name', c ->> 'event_id', c ->> 'kind', v_session,
         c ->> 'subscription_id', coalesce((c ->> 'livemode')::boolean, false),
         case when v_status in ('failed', 'expired') then null else c -> 'payload' end,
         case
           when c ->> 'status' = 'skipped' then 'skipped'
           when v_status in ('paid', 'free') then 'pending'
           when v_status = 'pending' then 'held'
           else 'cancelled'
         end,
         c ->> 'last_error', to_timestamp((c ->> 'event_time')::bigint), p_event_id
  from jsonb_array_elements(coalesce(p_cmd -> 'conversions', '[]'::jsonb)) c
  on conflict (destination, event_name, event_id) do update set
    -- A held conversion takes the data of the event that pays for it: its time is the purchase time.
    payload = excluded.payload,
    event_time = excluded.event_time,
    source_event_id = excluded.source_event_id,
    updated_at = now()
  where o.status = 'held';

  if v_status in ('paid', 'free') then
    update public.conversion_outbox
       set status = 'pending', next_attempt_at = now(), updated_at = now()
     where purchase_id = v_session and status = 'held';
  elsif v_status in ('failed', 'expired') then
    update public.conversion_outbox
       set status = 'cancelled', payload = null, last_error = 'purchase ' || v_status, updated_at = now()
     where purchase_id = v_session and status = 'held';
  end if;

  select coalesce(array_agg(id order by id), '{}') into v_deliver
    from public.conversion_outbox
   where purchase_id = v_session and status = 'pending' and next_attempt_at <= now();

  return jsonb_build_object('outcome', 'processed', 'purchase_status', v_status, 'deliver', to_jsonb(v_deliver));
end
$$;

-- One command action, one handler: app_private.apply_<action>(event_id, command). Later migrations
-- add handlers without touching this function.
create function app_private.apply_checkout(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
begin
  return app_private.provision_checkout(p_event_id, p_cmd);
end
$$;

create function public.stripe_record_event(p jsonb) returns jsonb
language plpgsql security definer set search_path = '' as $$
declare
  v_event jsonb := p -> 'event';
  v_cmd jsonb := coalesce(p -> 'command', '{}'::jsonb);
  v_action text := coalesce(v_cmd ->> 'action', 'ignore');
  v_inserted text;
  v_result jsonb;
begin
  if v_event ->> 'id' is null or v_event ->> 'type' is null or v_event ->> 'created' is null then
    raise exception 'a Stripe event needs id, type and created' using errcode = '22023';
  end if;
  if v_action <> 'ignore' and (v_action !~ '^[a-z_]+$'
      or to_regprocedure('app_private.apply_' || v_action || '(text,jsonb)') is null) then
    raise exception 'unknown command action %', v_action using errcode = '22023';
  end if;

  -- A block with an exception handler is a subtransaction: a handler that cannot tell which state is
  -- newer raises SRFTH, which undoes the event row too, and the caller re-reads the object from
  -- Stripe and calls again.
  begin
    insert into public.stripe_events (id, type, object_id, livemode, api_version, stripe_created, payload, outcome, detail)
    values (v_event ->> 'id', v_event ->> 'type', v_event -> 'data' -> 'object' ->> 'id',
            coalesce((v_event ->> 'livemode')::boolean, false), v_event ->> 'api_version',
            to_timestamp((v_event ->> 'created')::bigint), v_event,
            case when v_action = 'ignore' then 'ignored' else 'processed' end, v_cmd ->> 'detail')
    on conflict (id) do nothing
    returning id into v_inserted;

    if v_inserted is null then
      return jsonb_build_object('outcome', 'duplicate');
    end if;
    if v_action = 'ignore' then
      return jsonb_build_object('outcome', 'ignored', 'detail', v_cmd ->> 'detail');
    end if;
    execute format('select app_private.%I($1, $2)', 'apply_' || v_action) into v_result using v_inserted, v_cmd;
    return v_result;
  exception when sqlstate 'SRFTH' then
    return jsonb_build_object('outcome', 'refetch', 'object_id', v_event -> 'data' -> 'object' ->> 'id');
  end;
end
$$;

revoke all on function public.stripe_record_event(jsonb) from public, anon, authenticated;
grant execute on function public.stripe_record_event(jsonb) to service_role;
revoke all on all functions in schema app_private from public, anon, authenticated;
