-- Rows without a Stripe event (track, checkout creation) are accepted, and every row records the
-- names of the match keys its payload carried; clearing the payload keeps them.

insert into public.conversion_outbox (destination, event_name, event_id, kind, origin, livemode, payload, event_time)
values ('meta', 'Lead', 'lead_1', 'lead', 'browser', true,
        '{"user":{"email":"a1","phoneDigits":"p1","phoneE164":"p2"},"client":{"ipAddress":"203.0.113.9","userAgent":"UA","fbp":"fb.1.1.1","ttp":""}}',
        now()),
       ('tiktok', 'InitiateCheckout', 'cs_mk_1', 'initiate_checkout', 'checkout', true, null, now()),
       ('meta', 'Purchase', 'cs_mk_2', 'purchase', 'checkout', true, 'null'::jsonb, now());

do $$
declare
  v_keys text[];
begin
  select match_keys into v_keys from public.conversion_outbox where event_id = 'lead_1';
  assert v_keys = array['email', 'phone', 'ip', 'user_agent', 'fbp'],
    format('keys in fixed order, blanks left out, phone counted once: %s', v_keys);

  select match_keys into v_keys from public.conversion_outbox where event_id = 'cs_mk_1';
  assert v_keys = '{}', 'no payload, no keys';

  assert (select payload is null from public.conversion_outbox where event_id = 'cs_mk_2'),
    'a JSON null payload is stored as SQL NULL';

  update public.conversion_outbox set payload = null where event_id = 'lead_1';
  select match_keys into v_keys from public.conversion_outbox where event_id = 'lead_1';
  assert cardinality(v_keys) = 5, 'clearing the payload keeps the keys it had';

  assert app_private.conversion_match_keys('{"user":{"externalId":"x"},"client":{"ttclid":"t","fbc":"fb.1.2.c"}}')
         = array['external_id', 'fbc', 'ttclid'], 'external id and click ids are named';

  begin
    insert into public.conversion_outbox (destination, event_name, event_id, kind, livemode, event_time)
    values ('meta', 'Nope', 'x', 'not_a_kind', true, now());
    assert false, 'an unknown kind is refused';
  exception when check_violation then null;
  end;
end
$$;
