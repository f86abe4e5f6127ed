-- The outbox also carries conversions that no Stripe event caused: the funnel's browser and server
-- events (`track`) and the InitiateCheckout queued when a Checkout Session is created. And every row
-- records which match keys it carried, as a small non-personal list that outlives the payload, so
-- match-key coverage can be reported after retention has cleared the hashes.

alter table public.conversion_outbox alter column source_event_id drop not null;

alter table public.conversion_outbox drop constraint conversion_outbox_kind_check;
alter table public.conversion_outbox add constraint conversion_outbox_kind_check check (kind in (
  'purchase', 'subscribe', 'start_trial', 'renewal',
  'view_content', 'add_to_cart', 'add_to_wishlist', 'initiate_checkout', 'add_payment_info', 'lead',
  'complete_registration', 'search', 'contact'));

-- Who queued the row: the Stripe webhook, checkout creation, the browser (`track`) or the app's own
-- server code (`track()`).
alter table public.conversion_outbox add column origin text not null default 'stripe'
  check (origin in ('stripe', 'checkout', 'browser', 'server'));

-- Names only, never values: email, phone, external_id, ip, user_agent, fbc, fbp, ttclid, ttp.
alter table public.conversion_outbox add column match_keys text[] not null default '{}';

-- The keys a stored conversion (src/conversions/types.ts) carries, in a fixed order.
create function app_private.conversion_match_keys(p_payload jsonb) returns text[]
language sql immutable set search_path = '' as $$
  select coalesce(array_agg(k.name order by k.ord), '{}')
    from (values
      (1, 'email',       p_payload #> '{user,email}'),
      (2, 'phone',       coalesce(p_payload #> '{user,phoneDigits}', p_payload #> '{user,phoneE164}')),
      (3, 'external_id', p_payload #> '{user,externalId}'),
      (4, 'ip',          p_payload #> '{client,ipAddress}'),
      (5, 'user_agent',  p_payload #> '{client,userAgent}'),
      (6, 'fbc',         p_payload #> '{client,fbc}'),
      (7, 'fbp',         p_payload #> '{client,fbp}'),
      (8, 'ttclid',      p_payload #> '{client,ttclid}'),
      (9, 'ttp',         p_payload #> '{client,ttp}')
    ) as k(ord, name, value)
   where k.value is not null and jsonb_typeof(k.value) = 'string' and k.value #>> '{}' <> ''
$$;

-- Whoever writes the payload (the webhook's transaction, an SQL copy for an invoice, `track`), the
-- keys follow it. Clearing the payload (cancelled, consent, retention) keeps the keys it had. A JSON
-- null (the webhook's denied-consent rows) is stored as SQL NULL, so `payload is null` means "no
-- conversion kept" everywhere.
create function app_private.outbox_set_match_keys() returns trigger
language plpgsql set search_path = '' as $$
begin
  if jsonb_typeof(new.payload) = 'null' then
    new.payload := null;
  end if;
  if new.payload is not null then
    new.match_keys := app_private.conversion_match_keys(new.payload);
  end if;
  return new;
end
$$;

create trigger conversion_outbox_match_keys
  before insert or update of payload on public.conversion_outbox
  for each row execute function app_private.outbox_set_match_keys();

update public.conversion_outbox set payload = null where jsonb_typeof(payload) = 'null';
update public.conversion_outbox set match_keys = app_private.conversion_match_keys(payload)
 where payload is not null;

revoke all on all functions in schema app_private from public, anon, authenticated;
