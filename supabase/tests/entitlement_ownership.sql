-- Entitlement ownership on a Stripe customer shared by several app users: access belongs to the user of
-- the Checkout Session that bought it, to no user before that session is known, and to no user when
-- the session named none — whichever order the subscription's and the checkout's events arrive in.

create function pg_temp.sub_event(p_id text, p_sub text, p_created bigint, p_status text default 'active') returns jsonb
language sql as $$
  select jsonb_build_object(
    'event', jsonb_build_object('id', p_id, 'type', 'customer.subscription.updated', 'created', p_created,
                                'livemode', false, 'data', jsonb_build_object('object', jsonb_build_object('id', p_sub))),
    'command', jsonb_build_object('action', 'subscription', 'as_of', p_created, 'refetched', false,
      'subscription', jsonb_build_object('id', p_sub, 'customer_id', 'cus_shared', 'status', p_status,
        'items', jsonb_build_array(jsonb_build_object('product_id', 'prod_pro', 'price_id', 'price_pro', 'quantity', 1)),
        'cancel_at_period_end', false, 'current_period_end', p_created + 2592000, 'livemode', false)))
$$;

create function pg_temp.checkout_event(p_id text, p_session text, p_sub text, p_user text) returns jsonb
language sql as $$
  select jsonb_build_object(
    'event', jsonb_build_object('id', p_id, 'type', 'checkout.session.completed', 'created', 1795420900,
                                'livemode', false, 'data', jsonb_build_object('object', jsonb_build_object('id', p_session))),
    'command', jsonb_build_object('action', 'checkout',
      'purchase', jsonb_build_object('checkout_session_id', p_session, 'mode', case when p_sub is null then 'payment' else 'subscription' end,
        'status', 'paid', 'payment_status', 'paid', 'amount_total', 1900, 'currency', 'eur', 'subscription_id', p_sub,
        'livemode', false),
      'customer', jsonb_build_object('customer_key', 'cus_shared', 'stripe_customer_id', 'cus_shared', 'user_id', p_user,
        'livemode', false),
      'entitlements', jsonb_build_array(jsonb_build_object(
        'source_type', case when p_sub is null then 'purchase' else 'subscription' end,
        'source_id', coalesce(p_sub, p_session), 'product_id', 'prod_pro', 'price_id', 'price_pro', 'quantity', 1,
        'status', 'active', 'reason', 'checkout ' || p_session || ' paid')),
      'conversions', '[]'::jsonb))
$$;

create function pg_temp.owner_of(p_source text) returns text
language sql as $$ select user_id from public.entitlements where source_id = p_source $$;

do $$
begin
  -- C buys first: the shared Stripe customer now knows C.
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_c1', 'cs_own_c', 'sub_own_c', 'user-c'));
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_c2', 'sub_own_c', 1795420950));
  assert pg_temp.owner_of('sub_own_c') = 'user-c', 'C owns what C bought';

  -- D's subscription events arrive before D's checkout: nobody's yet, certainly not C's.
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_d1', 'sub_own_d', 1795421000));
  assert (select status from public.entitlements where source_id = 'sub_own_d') = 'active', 'access is recorded';
  assert pg_temp.owner_of('sub_own_d') is null, 'before its session is known, no user owns it';
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_d2', 'sub_own_d', 1795421010, 'past_due'));
  assert pg_temp.owner_of('sub_own_d') is null, 'a later sync still gives it to no user';
  -- D's checkout arrives: D's, and stays D's through later changes.
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_d3', 'cs_own_d', 'sub_own_d', 'user-d'));
  assert pg_temp.owner_of('sub_own_d') = 'user-d', 'the buying session decides';
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_d4', 'sub_own_d', 1795421020));
  assert pg_temp.owner_of('sub_own_d') = 'user-d', 'later syncs keep the buyer';

  -- E's checkout first, then the subscription's events.
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_e1', 'cs_own_e', 'sub_own_e', 'user-e'));
  assert pg_temp.owner_of('sub_own_e') = 'user-e', 'checkout first: the buyer';
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_e2', 'sub_own_e', 1795421100));
  assert pg_temp.owner_of('sub_own_e') = 'user-e', 'then the sync keeps the buyer';

  -- Bought without client_reference_id on C's customer, in both orders: no user, for good.
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_f1', 'sub_own_f', 1795421200));
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_f2', 'cs_own_f', 'sub_own_f', null));
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_f3', 'sub_own_f', 1795421210));
  assert pg_temp.owner_of('sub_own_f') is null, 'no client_reference_id (sync first): no user';
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_g1', 'cs_own_g', 'sub_own_g', null));
  perform public.stripe_record_event(pg_temp.sub_event('evt_own_g2', 'sub_own_g', 1795421300));
  assert pg_temp.owner_of('sub_own_g') is null, 'no client_reference_id (checkout first): no user';
  perform public.stripe_record_event(pg_temp.checkout_event('evt_own_h1', 'cs_own_h', null, null));
  assert pg_temp.owner_of('cs_own_h') is null, 'a one-time purchase without client_reference_id: no user';

  assert (select user_id from public.customers where customer_key = 'cus_shared') = 'user-c',
    'the customer still records its first user; ownership never reads it';
  assert app_private.entitlement_owner('subscription', 'sub_unknown') is null, 'an unknown source has no owner';
end
$$;
