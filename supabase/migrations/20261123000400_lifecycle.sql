-- The rest of a customer's life in Stripe: subscriptions kept in sync (out-of-order safe), invoices,
-- refunds and disputes recorded against what they paid for, and what the app itself may read.

create table public.subscriptions (
  id                   text primary key check (id like 'sub\_%'),
  customer_key         text references public.customers (customer_key),
  status               text not null,
  items                jsonb not null default '[]',
  cancel_at_period_end boolean not null default false,
  cancel_at            timestamptz,
  canceled_at          timestamptz,
  ended_at             timestamptz,
  trial_end            timestamptz,
  current_period_end   timestamptz,
  checkout_session_id  text,
  livemode             boolean not null,
  -- The Stripe time this state is from: the event's `created`, or when it was re-read from the API.
  as_of                bigint not null,
  last_event_id        text references public.stripe_events (id),
  created_at           timestamptz not null default now(),
  updated_at           timestamptz not null default now()
);
create index subscriptions_customer_idx on public.subscriptions (customer_key);

create table public.invoices (
  id                text primary key check (id like 'in\_%'),
  subscription_id   text,
  customer_key      text,
  billing_reason    text,
  status            text,
  amount_paid       bigint,
  amount_due        bigint,
  currency          text,
  period_end        timestamptz,
  attempt_count     integer,
  payment_intent_id text,
  livemode          boolean not null,
  paid_at           timestamptz,
  last_event_id     text references public.stripe_events (id),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index invoices_subscription_idx on public.invoices (subscription_id);
create index invoices_payment_intent_idx on public.invoices (payment_intent_id);

-- Refunds (one row per charge, amount_refunded cumulative) and disputes (one row per dispute).
create table public.payment_adjustments (
  id                text primary key,
  kind              text not null check (kind in ('refund', 'dispute')),
  charge_id         text,
  payment_intent_id text,
  purchase_id       text references public.purchases (checkout_session_id),
  subscription_id   text,
  invoice_id        text,
  amount            bigint,
  amount_refunded   bigint,
  currency          text,
  full_refund       boolean,
  status            text,
  reason            text,
  access_revoked    boolean not null default false,
  -- The revocation policy asked to revoke (applied once there is a purchase to revoke).
  revoke_requested  boolean not null default false,
  livemode          boolean not null,
  last_event_id     text references public.stripe_events (id),
  created_at        timestamptz not null default now(),
  updated_at        timestamptz not null default now()
);
create index payment_adjustments_purchase_idx on public.payment_adjustments (purchase_id);

-- Who revoked an entitlement: a subscription change may restore its own revocations, never a
-- refund's or a dispute's.
alter table public.entitlements add column revoked_by text
  check (revoked_by in ('subscription', 'refund', 'dispute'));

alter table public.subscriptions enable row level security;
alter table public.invoices enable row level security;
alter table public.payment_adjustments enable row level security;
revoke all on table public.subscriptions, public.invoices, public.payment_adjustments from public, anon, authenticated;
grant select, insert, update, delete on table public.subscriptions, public.invoices, public.payment_adjustments
  to service_role;

-- Stripe's subscription status → access. `incomplete` (first payment pending) changes nothing.
create function app_private.entitlement_status(p_status text) returns text
language sql immutable set search_path = '' as $$
  select case p_status
    when 'active' then 'active'
    when 'trialing' then 'trialing'
    when 'past_due' then 'past_due'
    when 'incomplete' then null
    else 'revoked'   -- canceled, unpaid, incomplete_expired, paused
  end
$$;

create function app_private.sync_subscription_entitlements(p_sub public.subscriptions) returns void
language plpgsql set search_path = '' as $$
declare
  v_status text := app_private.entitlement_status(p_sub.status);
  v_until timestamptz := case
    when p_sub.status = 'trialing' then coalesce(p_sub.trial_end, p_sub.current_period_end)
    when v_status = 'revoked' then coalesce(p_sub.ended_at, p_sub.canceled_at, now())
    else p_sub.current_period_end end;
  v_reason text := 'subscription ' || p_sub.id || ' ' || p_sub.status;
  v_owner text;
begin
  if v_status is null or p_sub.customer_key is null then
    return;
  end if;

  -- The owner is the user of the session that bought the subscription; until that session is known,
  -- the customer's first user (the checkout's arrival corrects it, see apply_checkout).
  v_owner := (select pu.user_id from public.purchases pu
               where pu.subscription_id = p_sub.id and pu.user_id is not null order by pu.created_at limit 1);
  insert into public.entitlements as e (customer_key, user_id, source_type, source_id, product_id, price_id, quantity,
                                        status, valid_until, reason, purchase_id, revoked_by, revoked_at)
  select p_sub.customer_key,
         coalesce(v_owner, (select c.user_id from public.customers c where c.customer_key = p_sub.customer_key)),
         'subscription', p_sub.id, i ->> 'product_id', i ->> 'price_id', (i ->> 'quantity')::integer,
         v_status, v_until, v_reason, p_sub.checkout_session_id,
         case when v_status = 'revoked' then 'subscription' end,
         case when v_status = 'revoked' then now() end
  from jsonb_array_elements(p_sub.items) i
  on conflict (source_id, product_id) do update set
    status = excluded.status,
    valid_until = excluded.valid_until,
    price_id = excluded.price_id,
    quantity = excluded.quantity,
    reason = excluded.reason,
    user_id = coalesce(v_owner, e.user_id, excluded.user_id),
    revoked_by = excluded.revoked_by,
    revoked_at = case when excluded.status = 'revoked' then coalesce(e.revoked_at, now()) end,
    updated_at = now()
  where e.revoked_by is null or e.revoked_by = 'subscription';

  -- Products the subscription no longer has (a plan change, or the '*' grant made without line items).
  update public.entitlements e
     set status = 'revoked', revoked_by = 'subscription', revoked_at = now(), updated_at = now(),
         reason = 'no longer part of subscription ' || p_sub.id
   where e.source_id = p_sub.id and e.status <> 'revoked'
     and not exists (select 1 from jsonb_array_elements(p_sub.items) i where i ->> 'product_id' = e.product_id);
end
$$;

-- Every writer of one subscription's state takes this first, until its transaction ends: events of one
-- subscription handled at once (Stripe sends them in parallel) then run one after the other, also
-- while its row does not exist yet, so that none decides on a state another is about to change.
create function app_private.lock_subscription(p_id text) returns void
language sql set search_path = '' as $$
  select pg_catalog.pg_advisory_xact_lock(pg_catalog.hashtextextended('stripe subscription ' || p_id, 0))
$$;

-- Raised when an event does not say clearly which state is newer; the caller re-reads the object
-- from the Stripe API and tries again with that.
create function app_private.apply_subscription(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v jsonb := p_cmd -> 'subscription';
  v_as_of bigint := (p_cmd ->> 'as_of')::bigint;
  v_refetched boolean := coalesce((p_cmd ->> 'refetched')::boolean, false);
  v_old public.subscriptions;
  v_new public.subscriptions;
  v_customer_key text := v ->> 'customer_id';
begin
  perform app_private.lock_subscription(v ->> 'id');
  select * into v_old from public.subscriptions where id = v ->> 'id' for update;
  if found then
    if v_old.status in ('canceled', 'incomplete_expired') and v ->> 'status' not in ('canceled', 'incomplete_expired') then
      return jsonb_build_object('outcome', 'processed', 'detail', 'stale: subscription already ended');
    end if;
    if v_as_of < v_old.as_of then
      return jsonb_build_object('outcome', 'processed', 'detail', 'stale: a newer state is stored');
    end if;
    if v_as_of = v_old.as_of and not v_refetched
       and (v_old.status, v_old.cancel_at_period_end, v_old.current_period_end, v_old.items)
           is distinct from (v ->> 'status', coalesce((v ->> 'cancel_at_period_end')::boolean, false),
                             to_timestamp((v ->> 'current_period_end')::bigint), coalesce(v -> 'items', '[]'::jsonb)) then
      raise exception 'subscription % changed twice in one second', v ->> 'id' using errcode = 'SRFTH';
    end if;
  end if;

  if v_customer_key is not null then
    insert into public.customers (customer_key, stripe_customer_id, livemode)
    values (v_customer_key, v_customer_key, coalesce((v ->> 'livemode')::boolean, false))
    on conflict (customer_key) do nothing;   -- a checkout may be inserting this customer right now
  end if;

  insert into public.subscriptions as s (id, customer_key, status, items, cancel_at_period_end, cancel_at, canceled_at,
    ended_at, trial_end, current_period_end, checkout_session_id, livemode, as_of, last_event_id)
  values (v ->> 'id', v_customer_key, v ->> 'status', coalesce(v -> 'items', '[]'::jsonb),
    coalesce((v ->> 'cancel_at_period_end')::boolean, false), to_timestamp((v ->> 'cancel_at')::bigint),
    to_timestamp((v ->> 'canceled_at')::bigint), to_timestamp((v ->> 'ended_at')::bigint),
    to_timestamp((v ->> 'trial_end')::bigint), to_timestamp((v ->> 'current_period_end')::bigint),
    (select checkout_session_id from public.purchases where subscription_id = v ->> 'id' limit 1),
    coalesce((v ->> 'livemode')::boolean, false), v_as_of, p_event_id)
  on conflict (id) do update set
    customer_key = coalesce(excluded.customer_key, s.customer_key),
    status = excluded.status, items = excluded.items, cancel_at_period_end = excluded.cancel_at_period_end,
    cancel_at = excluded.cancel_at, canceled_at = excluded.canceled_at, ended_at = excluded.ended_at,
    trial_end = excluded.trial_end, current_period_end = excluded.current_period_end,
    checkout_session_id = coalesce(s.checkout_session_id, excluded.checkout_session_id),
    as_of = excluded.as_of, last_event_id = excluded.last_event_id, updated_at = now()
  returning * into v_new;

  perform app_private.sync_subscription_entitlements(v_new);
  return jsonb_build_object('outcome', 'processed', 'subscription_status', v_new.status);
end
$$;

-- A subscription's checkout, whichever of its events comes first: provisioned, then linked to the
-- subscription row and its entitlements if subscription events got there before it.
create or replace function app_private.apply_checkout(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v_result jsonb;
  v_session text := p_cmd -> 'purchase' ->> 'checkout_session_id';
  v_sub text := p_cmd -> 'purchase' ->> 'subscription_id';
  v_user text := p_cmd -> 'customer' ->> 'user_id';
  v_pi text := p_cmd -> 'purchase' ->> 'payment_intent_id';
  v_row public.subscriptions;
  v_adjustment public.payment_adjustments;
begin
  if v_sub is not null then
    perform app_private.lock_subscription(v_sub);
  end if;
  v_result := app_private.provision_checkout(p_event_id, p_cmd);

  if v_sub is not null then
    update public.subscriptions set checkout_session_id = v_session, updated_at = now()
     where id = v_sub and checkout_session_id is null;
    -- Access granted before this checkout arrived belongs to the user who bought it.
    update public.entitlements
       set purchase_id = coalesce(purchase_id, v_session), user_id = coalesce(v_user, user_id), updated_at = now()
     where source_id = v_sub and (purchase_id is null or user_id is distinct from coalesce(v_user, user_id));
    -- A late checkout never overrides what the subscription says now (ended, or products changed).
    select * into v_row from public.subscriptions where id = v_sub;
    if found then
      perform app_private.sync_subscription_entitlements(v_row);
    end if;
  end if;

  -- A refund or dispute that came before its checkout: apply it now that there is something to revoke.
  if v_pi is not null then
    for v_adjustment in select * from public.payment_adjustments
                         where payment_intent_id = v_pi and purchase_id is null loop
      perform app_private.apply_charge(v_adjustment.last_event_id, jsonb_build_object(
        'revoke', v_adjustment.revoke_requested,
        'adjustment', jsonb_build_object('id', v_adjustment.id, 'kind', v_adjustment.kind,
          'charge_id', v_adjustment.charge_id, 'payment_intent_id', v_pi, 'invoice_id', v_adjustment.invoice_id,
          'amount', v_adjustment.amount, 'amount_refunded', v_adjustment.amount_refunded,
          'currency', v_adjustment.currency, 'full_refund', v_adjustment.full_refund,
          'status', v_adjustment.status, 'reason', v_adjustment.reason, 'livemode', v_adjustment.livemode)));
    end loop;
  end if;
  return v_result;
end
$$;

-- Conversions derived from an invoice copy their identifiers from a conversion already stored for
-- the subscription (hashed at checkout): the invoice itself carries no browser or customer data.
create function app_private.derive_conversions(p_event_id text, p_invoice jsonb, p_derived jsonb) returns integer
language plpgsql set search_path = '' as $$
declare
  d jsonb;
  v_sub text := p_invoice ->> 'subscription_id';
  v_count integer := 0;
  v_rows integer;
begin
  for d in select * from jsonb_array_elements(coalesce(p_derived, '[]'::jsonb)) loop
    -- A trial converts once: only when a trial was recorded and nothing was subscribed since.
    if d ->> 'kind' = 'subscribe' and (
         not exists (select 1 from public.conversion_outbox where subscription_id = v_sub and kind = 'start_trial' and payload is not null)
         or exists (select 1 from public.conversion_outbox where subscription_id = v_sub and kind = 'subscribe')) then
      continue;
    end if;
    if d ->> 'kind' = 'renewal' and (v_count > 0 or exists (
         select 1 from public.conversion_outbox where event_id = d ->> 'event_id' and kind = 'subscribe')) then
      continue;   -- the trial conversion is this invoice's conversion (now or from an earlier delivery)
    end if;

    insert into public.conversion_outbox (destination, event_name, event_id, kind, purchase_id, subscription_id,
                                          livemode, payload, status, event_time, source_event_id)
    select distinct on (t.destination) t.destination, d -> 'event_names' ->> t.destination, d ->> 'event_id', d ->> 'kind',
           t.purchase_id, v_sub, t.livemode, t.payload || (d -> 'patch'), 'pending',
           to_timestamp((d -> 'patch' ->> 'eventTime')::bigint), p_event_id
      from public.conversion_outbox t
     where t.subscription_id = v_sub and t.payload is not null
       and d -> 'event_names' ->> t.destination is not null
     order by t.destination, case t.kind when 'purchase' then 0 when 'subscribe' then 1 when 'start_trial' then 2 else 3 end
    on conflict (destination, event_name, event_id) do nothing;
    get diagnostics v_rows = row_count;
    v_count := v_count + v_rows;
  end loop;
  return v_count;
end
$$;

create function app_private.apply_invoice(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v jsonb := p_cmd -> 'invoice';
  v_paid boolean := coalesce((p_cmd ->> 'paid')::boolean, false);
  v_sub text := v ->> 'subscription_id';
  v_result jsonb := jsonb_build_object('outcome', 'processed');
  v_derived integer := 0;
  v_deliver bigint[];
begin
  if v_sub is not null then
    perform app_private.lock_subscription(v_sub);
  end if;
  insert into public.invoices as i (id, subscription_id, customer_key, billing_reason, status, amount_paid, amount_due,
    currency, period_end, attempt_count, payment_intent_id, livemode, paid_at, last_event_id)
  values (v ->> 'id', v_sub, v ->> 'customer_id', v ->> 'billing_reason', v ->> 'status',
    (v ->> 'amount_paid')::bigint, (v ->> 'amount_due')::bigint, v ->> 'currency',
    to_timestamp((v ->> 'period_end')::bigint), (v ->> 'attempt_count')::integer, v ->> 'payment_intent_id',
    coalesce((v ->> 'livemode')::boolean, false), case when v_paid then now() end, p_event_id)
  on conflict (id) do update set
    -- Once paid, an invoice stays paid whatever order the events come in.
    status = case when i.status = 'paid' then i.status else excluded.status end,
    amount_paid = greatest(i.amount_paid, excluded.amount_paid),
    attempt_count = greatest(i.attempt_count, excluded.attempt_count),
    payment_intent_id = coalesce(excluded.payment_intent_id, i.payment_intent_id),
    paid_at = coalesce(i.paid_at, excluded.paid_at),
    last_event_id = excluded.last_event_id, updated_at = now();

  if v_paid and v_sub is not null then
    -- The first invoice pays for the checkout: provision it from the session, as if it were paid.
    if jsonb_typeof(p_cmd -> 'checkout') = 'object' then
      v_result := v_result || (app_private.apply_checkout(p_event_id, p_cmd -> 'checkout') - 'deliver');
    end if;

    -- Access runs to the end of the paid period, even if the subscription event is late (after the
    -- checkout above, so that the access it grants gets it too).
    update public.entitlements
       set valid_until = greatest(valid_until, to_timestamp((v ->> 'period_end')::bigint)), updated_at = now()
     where source_id = v_sub and status <> 'revoked' and (v ->> 'period_end') is not null;
    v_derived := app_private.derive_conversions(p_event_id, v, p_cmd -> 'derived');
  end if;

  select coalesce(array_agg(id order by id), '{}') into v_deliver
    from public.conversion_outbox
   where subscription_id = v_sub and status = 'pending' and next_attempt_at <= now();
  return v_result || jsonb_build_object('derived_conversions', v_derived, 'deliver', to_jsonb(v_deliver));
end
$$;

create function app_private.apply_charge(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v jsonb := p_cmd -> 'adjustment';
  v_kind text := v ->> 'kind';
  v_purchase text;
  v_sub text;
  v_invoice text := v ->> 'invoice_id';
  v_found_invoice text;
  v_revoke boolean;
  v_source text;
  v_revoked integer := 0;
  v_restored integer := 0;
  v_won boolean;
  v_requested boolean;
  v_status text;
  v_stored public.payment_adjustments;
begin
  -- A one-time purchase is found by its payment intent; a subscription payment by its invoice (the
  -- stored one, or the subscription's first invoice named by its checkout when invoice.paid is late),
  -- and is recorded against the purchase that started the subscription.
  select checkout_session_id into v_purchase from public.purchases
   where payment_intent_id = v ->> 'payment_intent_id' and v ->> 'payment_intent_id' is not null limit 1;
  if v_purchase is null then
    select id, subscription_id into v_found_invoice, v_sub from public.invoices
     where id = v_invoice or (payment_intent_id = v ->> 'payment_intent_id' and v ->> 'payment_intent_id' is not null)
     limit 1;
    v_invoice := coalesce(v_found_invoice, v_invoice);
    if v_sub is null and v_invoice is not null then
      select subscription_id into v_sub from public.purchases where invoice_id = v_invoice limit 1;
    end if;
    if v_sub is not null then
      select checkout_session_id into v_purchase from public.purchases
       where subscription_id = v_sub order by created_at limit 1;
    end if;
  end if;

  if v_sub is not null then
    perform app_private.lock_subscription(v_sub);
  end if;
  select * into v_stored from public.payment_adjustments where id = v ->> 'id' for update;
  -- Stripe does not order events: a dispute already closed stays closed when its `created` comes late.
  v_status := case when v_stored.status in ('won', 'lost', 'warning_closed') then v_stored.status else v ->> 'status' end;

  -- A dispute the merchant won (or an inquiry closed without one) gives back what it took away.
  v_won := v_kind = 'dispute' and v_status in ('won', 'warning_closed');
  -- What the policy asks for, kept so that a purchase recorded later can still apply it.
  v_requested := coalesce((p_cmd ->> 'revoke')::boolean, false)
                 and (v_kind = 'dispute' or coalesce((v ->> 'full_refund')::boolean, false));
  -- A full refund revokes a one-time purchase. A subscription payment's refund is only recorded: the
  -- subscription goes on, and cancelling it in Stripe is what ends its access.
  v_revoke := v_requested and not v_won and (v_kind = 'dispute' or v_sub is null);
  -- A subscription's access is granted under the subscription's id, a one-time purchase's under its own.
  v_source := coalesce(v_sub, v_purchase);
  if v_revoke and v_source is not null then
    update public.entitlements
       set status = 'revoked', revoked_by = v_kind, revoked_at = now(), updated_at = now(),
           reason = case v_kind when 'dispute' then 'disputed: ' else 'refunded in full: ' end || (v ->> 'id')
     where source_id = v_source and status <> 'revoked';
    get diagnostics v_revoked = row_count;
  elsif v_won and v_source is not null
        -- Only if nothing else still holds it back: another open or lost dispute, or a full refund.
        and not exists (select 1 from public.payment_adjustments o
                         where o.id <> v ->> 'id' and (o.purchase_id = v_purchase or o.subscription_id = v_source)
                           and o.revoke_requested
                           and (o.kind = 'dispute' and coalesce(o.status, '') not in ('won', 'warning_closed')
                                or o.kind = 'refund' and o.subscription_id is null)) then
    update public.entitlements
       set status = case when source_type = 'purchase' then 'active' else status end,
           revoked_by = null, revoked_at = null, updated_at = now(), reason = 'dispute won: ' || (v ->> 'id')
     where source_id = v_source and revoked_by = 'dispute';
    get diagnostics v_restored = row_count;
    if v_sub is not null and v_restored > 0 then
      -- The subscription's own state decides again.
      perform app_private.sync_subscription_entitlements(s) from public.subscriptions s where s.id = v_sub;
    end if;
  end if;

  insert into public.payment_adjustments as a (id, kind, charge_id, payment_intent_id, purchase_id, subscription_id,
    invoice_id, amount, amount_refunded, currency, full_refund, status, reason, access_revoked, revoke_requested,
    livemode, last_event_id)
  values (v ->> 'id', v_kind, v ->> 'charge_id', v ->> 'payment_intent_id', v_purchase, v_sub, v_invoice,
    (v ->> 'amount')::bigint, (v ->> 'amount_refunded')::bigint, v ->> 'currency', (v ->> 'full_refund')::boolean,
    v_status, v ->> 'reason', v_revoked > 0, v_requested, coalesce((v ->> 'livemode')::boolean, false), p_event_id)
  on conflict (id) do update set
    amount_refunded = greatest(a.amount_refunded, excluded.amount_refunded),
    full_refund = a.full_refund or excluded.full_refund,
    status = excluded.status,
    access_revoked = case when v_restored > 0 then false else a.access_revoked or excluded.access_revoked end,
    revoke_requested = a.revoke_requested or excluded.revoke_requested,
    purchase_id = coalesce(a.purchase_id, excluded.purchase_id),
    subscription_id = coalesce(a.subscription_id, excluded.subscription_id),
    last_event_id = excluded.last_event_id, updated_at = now();

  return jsonb_build_object('outcome', 'processed', 'linked_to', v_source, 'entitlements_revoked', v_revoked,
                            'entitlements_restored', v_restored);
end
$$;


revoke all on all functions in schema app_private from public, anon, authenticated;

-- What the app reads: a signed-in user's own entitlements, matched by the Checkout Session's
-- client_reference_id (= auth.uid()). Not by email: a JWT's email is not always verified, and a
-- Checkout email is whatever the buyer typed.
create policy entitlements_read_own on public.entitlements
  for select to authenticated
  using (user_id = (select auth.uid())::text);
grant select on table public.entitlements to authenticated;

create function public.my_entitlements()
returns table (product_id text, price_id text, status text, active boolean, valid_until timestamptz,
               source_type text, source_id text, reason text)
language sql stable security invoker set search_path = '' as $$
  select e.product_id, e.price_id, e.status, e.status in ('active', 'trialing', 'past_due'), e.valid_until,
         e.source_type, e.source_id, e.reason
    from public.entitlements e
   order by e.granted_at
$$;
revoke all on function public.my_entitlements() from public, anon;
grant execute on function public.my_entitlements() to authenticated;
