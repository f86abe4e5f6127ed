-- Conversions without a Stripe event are queued by outbox_enqueue: new rows come back by id, a row
-- already queued is a duplicate and stays as it was, a skipped row keeps only its reason, and bad
-- rows are refused whole.

do $$
declare
  v_res jsonb;
  v_row public.conversion_outbox;
  v_count integer;
begin
  v_res := public.outbox_enqueue(jsonb_build_object('rows', jsonb_build_array(
    jsonb_build_object('destination', 'tiktok', 'event_name', 'InitiateCheckout', 'event_id', 'cs_enq_1',
      'kind', 'initiate_checkout', 'origin', 'checkout', 'livemode', false, 'event_time', 1796000000,
      'payload', '{"user":{"externalId":"abc"},"client":{"ipAddress":"203.0.113.9"}}'::jsonb, 'status', 'pending'),
    jsonb_build_object('destination', 'meta', 'event_name', 'InitiateCheckout', 'event_id', 'cs_enq_1',
      'kind', 'initiate_checkout', 'origin', 'checkout', 'livemode', false, 'event_time', 1796000000,
      'payload', '{"user":{"externalId":"abc"}}'::jsonb, 'status', 'pending'))));
  assert jsonb_array_length(v_res -> 'ids') = 2, format('two new rows: %s', v_res);
  assert (v_res ->> 'duplicates')::int = 0, 'no duplicates the first time';

  select * into v_row from public.conversion_outbox where id = (v_res -> 'ids' ->> 0)::bigint;
  assert v_row.origin = 'checkout' and v_row.status = 'pending' and v_row.source_event_id is null,
    'a pending checkout row without a Stripe event';
  assert v_row.event_time = to_timestamp(1796000000), 'event time from Unix seconds';
  assert v_row.match_keys = array['external_id', 'ip'], format('match keys from the payload: %s', v_row.match_keys);

  -- The same request again (a retry, a double click), plus one new browser event in the same call.
  v_res := public.outbox_enqueue(jsonb_build_object('rows', jsonb_build_array(
    jsonb_build_object('destination', 'meta', 'event_name', 'InitiateCheckout', 'event_id', 'cs_enq_1',
      'kind', 'initiate_checkout', 'origin', 'checkout', 'livemode', false, 'event_time', 1796000999,
      'payload', '{"user":{}}'::jsonb),
    jsonb_build_object('destination', 'meta', 'event_name', 'ViewContent', 'event_id', 'vc_1',
      'kind', 'view_content', 'origin', 'browser', 'livemode', true, 'event_time', 1796000000,
      'payload', '{"client":{"fbp":"fb.1.1.1"}}'::jsonb))));
  assert (v_res ->> 'duplicates')::int = 1 and jsonb_array_length(v_res -> 'ids') = 1, format('one duplicate, one new: %s', v_res);
  select count(*) into v_count from public.conversion_outbox
   where event_id = 'cs_enq_1' and event_time = to_timestamp(1796000000);
  assert v_count = 2, 'the duplicate changed nothing';

  -- Consent denied: recorded, skipped, no payload, the reason kept; never claimed.
  v_res := public.outbox_enqueue(jsonb_build_object('rows', jsonb_build_array(
    jsonb_build_object('destination', 'tiktok', 'event_name', 'InitiateCheckout', 'event_id', 'cs_enq_2',
      'kind', 'initiate_checkout', 'origin', 'checkout', 'livemode', false, 'event_time', 1796000000,
      'payload', '{"user":{"externalId":"abc"}}'::jsonb, 'status', 'skipped', 'last_error', 'ad_consent denied'))));
  select * into v_row from public.conversion_outbox where id = (v_res -> 'ids' ->> 0)::bigint;
  assert v_row.status = 'skipped' and v_row.payload is null and v_row.last_error = 'ad_consent denied'
     and v_row.match_keys = '{}', 'a skipped row keeps only its reason';
  assert (public.outbox_claim(jsonb_build_object('ids', v_res -> 'ids')) -> 'rows') = '[]'::jsonb,
    'a skipped row is never claimed';

  -- Refused whole: a Stripe origin (those come with their event), a pending row without payload.
  begin
    perform public.outbox_enqueue('{"rows":[{"destination":"meta","event_name":"Lead","event_id":"l1","kind":"lead","origin":"stripe","event_time":1,"payload":{}}]}');
    assert false, 'origin stripe is refused';
  exception when invalid_parameter_value then null;
  end;
  begin
    perform public.outbox_enqueue('{"rows":[{"destination":"meta","event_name":"Lead","event_id":"l2","kind":"lead","origin":"browser","event_time":1}]}');
    assert false, 'a pending row needs its payload';
  exception when invalid_parameter_value then null;
  end;
  begin
    perform public.outbox_enqueue('{"rows":[{"destination":"meta","event_name":"Lead","event_id":"l3","kind":"nope","origin":"browser","event_time":1,"payload":{}}]}');
    assert false, 'an unknown kind is refused by the table';
  exception when check_violation then null;
  end;
  select count(*) into v_count from public.conversion_outbox where event_id in ('l1', 'l2', 'l3');
  assert v_count = 0, 'nothing of a refused call is kept';
end
$$;

-- A signed-in user's Stripe Customer, per mode; guests and other users' customers are never returned.
insert into public.customers (customer_key, stripe_customer_id, user_id, livemode, updated_at) values
  ('cus_enq_old', 'cus_enq_old', 'user_enq', false, now() - interval '1 day'),
  ('cus_enq_new', 'cus_enq_new', 'user_enq', false, now()),
  ('cus_enq_live', 'cus_enq_live', 'user_enq', true, now()),
  ('session:cs_enq_guest', null, 'user_guest', false, now());

do $$
begin
  assert public.checkout_customer('{"user_id":"user_enq","livemode":false}') ->> 'stripe_customer_id' = 'cus_enq_new',
    'the latest test-mode customer';
  assert public.checkout_customer('{"user_id":"user_enq","livemode":true}') ->> 'stripe_customer_id' = 'cus_enq_live',
    'the live-mode customer in live mode';
  assert public.checkout_customer('{"user_id":"user_guest","livemode":false}') ->> 'stripe_customer_id' is null,
    'a session-keyed customer has no Stripe Customer to reuse';
  assert public.checkout_customer('{"user_id":"nobody","livemode":false}') = '{"stripe_customer_id": null}'::jsonb,
    'unknown user: null';
end
$$;
