-- An entitlement belongs only to the user of the Checkout Session that bought it: the session's
-- client_reference_id, stored as purchases.user_id. Until that session is known (a subscription's
-- events may come first), or when it named no user, the entitlement belongs to no user and only the
-- service role reads it.
--
-- Before this migration a subscription synced before its checkout went to the Stripe customer's
-- first user, and a checkout without client_reference_id left it there: on a customer shared by two
-- app users, one could read the other's access. The functions are redefined here (released
-- migrations are never edited) and rows already given to the wrong user are corrected at the end.

-- The one definition of ownership: the user of the session that bought the source. A one-time
-- purchase is its own session; a subscription is bought by the first session that names it.
create function app_private.entitlement_owner(p_source_type text, p_source_id text) returns text
language sql stable set search_path = '' as $$
  select pu.user_id
    from public.purchases pu
   where (p_source_type = 'purchase' and pu.checkout_session_id = p_source_id)
      or (p_source_type = 'subscription' and pu.subscription_id = p_source_id)
   order by pu.created_at, pu.checkout_session_id
   limit 1
$$;
revoke all on function app_private.entitlement_owner(text, text) from public, anon, authenticated;

create or replace function app_private.sync_subscription_entitlements(p_sub public.subscriptions) returns void
language plpgsql set search_path = '' as $$
declare
  v_status text := app_private.entitlement_status(p_sub.status);
  v_until timestamptz := case
    when p_sub.status = 'trialing' then coalesce(p_sub.trial_end, p_sub.current_period_end)
    when v_status = 'revoked' then coalesce(p_sub.ended_at, p_sub.canceled_at, now())
    else p_sub.current_period_end end;
  v_reason text := 'subscription ' || p_sub.id || ' ' || p_sub.status;
  -- null until the buying session is recorded: never the customer's other users.
  v_owner text := app_private.entitlement_owner('subscription', p_sub.id);
begin
  if v_status is null or p_sub.customer_key is null then
    return;
  end if;

  insert into public.entitlements as e (customer_key, user_id, source_type, source_id, product_id, price_id, quantity,
                                        status, valid_until, reason, purchase_id, revoked_by, revoked_at)
  select p_sub.customer_key, v_owner, 'subscription', p_sub.id, i ->> 'product_id', i ->> 'price_id',
         (i ->> 'quantity')::integer, v_status, v_until, v_reason, p_sub.checkout_session_id,
         case when v_status = 'revoked' then 'subscription' end,
         case when v_status = 'revoked' then now() end
  from jsonb_array_elements(p_sub.items) i
  on conflict (source_id, product_id) do update set
    status = excluded.status,
    valid_until = excluded.valid_until,
    price_id = excluded.price_id,
    quantity = excluded.quantity,
    reason = excluded.reason,
    user_id = excluded.user_id,
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

-- As in 20261123000400_lifecycle.sql, except that access granted before this checkout arrived now
-- goes to exactly the subscription's owner: to no user when its session named none.
create or replace function app_private.apply_checkout(p_event_id text, p_cmd jsonb) returns jsonb
language plpgsql set search_path = '' as $$
declare
  v_result jsonb;
  v_session text := p_cmd -> 'purchase' ->> 'checkout_session_id';
  v_sub text := p_cmd -> 'purchase' ->> 'subscription_id';
  v_pi text := p_cmd -> 'purchase' ->> 'payment_intent_id';
  v_owner text;
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
    v_owner := app_private.entitlement_owner('subscription', v_sub);
    update public.entitlements
       set purchase_id = coalesce(purchase_id, v_session), user_id = v_owner, updated_at = now()
     where source_id = v_sub and (purchase_id is null or user_id is distinct from v_owner);
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

-- Rows the earlier functions gave to the wrong user (or kept from one) now belong to their owner.
update public.entitlements e
   set user_id = app_private.entitlement_owner(e.source_type, e.source_id), updated_at = now()
 where e.user_id is distinct from app_private.entitlement_owner(e.source_type, e.source_id);
