-- stripe_record_event: idempotency, the purchase state order, and holding conversions until paid.

do $$
declare
  ev jsonb := '{"id":"evt_sql_a","type":"checkout.session.completed","created":1795420800,"livemode":false,
                "api_version":"2026-10-28.endive","data":{"object":{"id":"cs_sql_a"}}}';
  conv jsonb := '[{"destination":"tiktok","event_name":"CompletePayment","event_id":"cs_sql_a","kind":"purchase",
                   "livemode":false,"event_time":1795420800,"payload":{"eventId":"cs_sql_a"},"status":"pending"}]';
  cmd jsonb;
  res jsonb;
  p public.purchases;
begin
  cmd := jsonb_build_object('action', 'checkout',
    'purchase', '{"checkout_session_id":"cs_sql_a","mode":"payment","status":"pending","payment_status":"unpaid","amount_total":5000,"currency":"jpy"}'::jsonb,
    'customer', '{"customer_key":"email:a@example.com","email":"a@example.com"}'::jsonb,
    'entitlements', '[{"source_type":"purchase","source_id":"cs_sql_a","product_id":"prod_1","status":"active","reason":"paid"}]'::jsonb,
    'conversions', conv);
  res := public.stripe_record_event(jsonb_build_object('event', ev, 'command', cmd));
  assert res ->> 'outcome' = 'processed' and res ->> 'purchase_status' = 'pending', 'unpaid completed is pending';
  assert not exists (select 1 from public.entitlements where source_id = 'cs_sql_a'), 'no access before the money';
  assert (select status from public.conversion_outbox where event_id = 'cs_sql_a') = 'held', 'conversion is held';
  assert jsonb_array_length(res -> 'deliver') = 0, 'nothing to deliver yet';

  res := public.stripe_record_event(jsonb_build_object('event', ev, 'command', cmd));
  assert res ->> 'outcome' = 'duplicate', 'the same event twice is a duplicate';

  -- The paying event: access granted, the held conversion released with the payment's time.
  cmd := jsonb_set(jsonb_set(cmd, '{purchase,status}', '"paid"'), '{conversions,0,event_time}', '1795500000');
  res := public.stripe_record_event(jsonb_build_object('event',
    jsonb_set(jsonb_set(ev, '{id}', '"evt_sql_b"'), '{type}', '"checkout.session.async_payment_succeeded"'), 'command', cmd));
  assert res ->> 'purchase_status' = 'paid', 'paid';
  assert (select count(*) from public.entitlements where source_id = 'cs_sql_a') = 1, 'access granted once';
  assert (select status from public.conversion_outbox where event_id = 'cs_sql_a') = 'pending', 'released';
  assert (select extract(epoch from event_time) from public.conversion_outbox where event_id = 'cs_sql_a') = 1795500000,
    'released conversion carries the payment time';
  assert jsonb_array_length(res -> 'deliver') = 1, 'due for delivery now';

  -- A late, older event cannot move the purchase back.
  cmd := jsonb_set(cmd, '{purchase,status}', '"pending"');
  res := public.stripe_record_event(jsonb_build_object('event', jsonb_set(ev, '{id}', '"evt_sql_c"'), 'command', cmd));
  select * into p from public.purchases where checkout_session_id = 'cs_sql_a';
  assert p.status = 'paid' and p.paid_at is not null, 'never regresses from paid';
  assert (select count(*) from public.conversion_outbox where event_id = 'cs_sql_a') = 1, 'still one conversion';
end
$$;

do $$
declare
  ev jsonb := '{"id":"evt_sql_x","type":"checkout.session.completed","created":1795420800,"livemode":false,"data":{"object":{"id":"cs_sql_x"}}}';
  cmd jsonb := jsonb_build_object('action', 'checkout',
    'purchase', '{"checkout_session_id":"cs_sql_x","mode":"payment","status":"pending","payment_status":"unpaid"}'::jsonb,
    'conversions', '[{"destination":"meta","event_name":"Purchase","event_id":"cs_sql_x","kind":"purchase","livemode":false,"event_time":1795420800,"payload":{"em":"x"},"status":"pending"}]'::jsonb);
  row_ public.conversion_outbox;
begin
  perform public.stripe_record_event(jsonb_build_object('event', ev, 'command', cmd));
  cmd := jsonb_set(jsonb_set(cmd, '{purchase,status}', '"failed"'), '{conversions}', '[]');
  perform public.stripe_record_event(jsonb_build_object('event', jsonb_set(ev, '{id}', '"evt_sql_y"'), 'command', cmd));
  select * into row_ from public.conversion_outbox where event_id = 'cs_sql_x';
  assert row_.status = 'cancelled' and row_.payload is null, 'failed payment cancels the held conversion and drops its data';
  assert (select status from public.purchases where checkout_session_id = 'cs_sql_x') = 'failed', 'purchase failed';

  assert public.stripe_record_event(jsonb_build_object('event', jsonb_set(ev, '{id}', '"evt_sql_z"'),
    'command', '{"action":"ignore","detail":"event type customer.created is not handled"}'::jsonb)) ->> 'outcome' = 'ignored',
    'ignored events are answered';
  assert (select outcome from public.stripe_events where id = 'evt_sql_z') = 'ignored', 'and recorded';
end
$$;
