-- Core tables: every verified Stripe event, the business's customers, purchases and entitlements,
-- and the conversion outbox with its per-attempt log.
--
-- Access model: row-level security is on everywhere and no policy grants anything to anon or
-- authenticated here, so only the table owner and service_role (BYPASSRLS on Supabase) see rows.
-- All writes go through the SQL functions of the later migrations.

create table public.stripe_events (
  id             text primary key check (id like 'evt\_%'),
  type           text not null,
  object_id      text,
  livemode       boolean not null,
  api_version    text,
  stripe_created timestamptz not null,
  payload        jsonb not null,
  outcome        text not null check (outcome in ('processed', 'ignored')),
  detail         text,
  received_at    timestamptz not null default now()
);
-- Stripe sometimes sends two Event objects for one change; they share data.object.id and type.
create index stripe_events_object_idx on public.stripe_events (object_id, type);

create table public.customers (
  -- cus_… when Stripe has a Customer, else session:<cs_…>. Never the typed email: anyone can type
  -- anyone's email at Checkout.
  customer_key       text primary key,
  -- Not unique on its own: when set it equals customer_key, and a second unique index would make
  -- concurrent upserts of one customer fail on the index the upsert does not arbitrate on.
  stripe_customer_id text,
  -- client_reference_id of the first Checkout Session that named it: the app's own user id. Never
  -- overwritten by a later session.
  user_id            text,
  email              text,
  name               text,
  phone              text,
  livemode           boolean not null,
  created_at         timestamptz not null default now(),
  updated_at         timestamptz not null default now()
);
create index customers_user_idx on public.customers (user_id);
create index customers_stripe_idx on public.customers (stripe_customer_id);
create index customers_email_idx on public.customers (lower(email));

create table public.purchases (
  checkout_session_id text primary key check (checkout_session_id like 'cs\_%'),
  customer_key        text references public.customers (customer_key),
  -- The session's client_reference_id: the app's user who bought it, and owns what it grants.
  user_id             text,
  mode                text not null check (mode in ('payment', 'subscription', 'setup')),
  -- pending: completed, money not there yet; paid; free: no payment required (trial, 100 % coupon);
  -- failed: delayed payment failed; expired: session expired unpaid.
  status              text not null check (status in ('pending', 'paid', 'free', 'failed', 'expired')),
  payment_status      text,
  amount_total        bigint,
  currency            text,
  subscription_id     text,
  invoice_id          text,
  payment_intent_id   text,
  livemode            boolean not null,
  line_items          jsonb,
  first_event_id      text not null references public.stripe_events (id),
  last_event_id       text not null references public.stripe_events (id),
  paid_at             timestamptz,
  created_at          timestamptz not null default now(),
  updated_at          timestamptz not null default now()
);
create index purchases_subscription_idx on public.purchases (subscription_id);
create index purchases_payment_intent_idx on public.purchases (payment_intent_id);
create index purchases_customer_idx on public.purchases (customer_key);

create table public.entitlements (
  id           bigint generated always as identity primary key,
  customer_key text not null references public.customers (customer_key),
  -- The app's user this access belongs to: the client_reference_id of the session that bought it.
  -- Row-level security matches on it.
  user_id      text,
  -- What grants it: a one-time purchase (cs_…) or a subscription (sub_…).
  source_type  text not null check (source_type in ('purchase', 'subscription')),
  source_id    text not null,
  -- Stripe product id; '*' when the line items could not be read (no STRIPE_SECRET_KEY).
  product_id   text not null,
  price_id     text,
  quantity     integer,
  status       text not null check (status in ('active', 'trialing', 'past_due', 'revoked')),
  -- null: no end (one-time purchase) or not known yet.
  valid_until  timestamptz,
  reason       text not null,
  purchase_id  text references public.purchases (checkout_session_id),
  granted_at   timestamptz not null default now(),
  revoked_at   timestamptz,
  updated_at   timestamptz not null default now(),
  unique (source_id, product_id)
);
create index entitlements_customer_idx on public.entitlements (customer_key);
create index entitlements_user_idx on public.entitlements (user_id);

create table public.conversion_outbox (
  id              bigint generated always as identity primary key,
  destination     text not null,
  event_name      text not null,
  -- Shared with the browser pixel: the Checkout Session id (invoice id for renewals).
  event_id        text not null,
  kind            text not null check (kind in ('purchase', 'subscribe', 'start_trial', 'renewal')),
  purchase_id     text,
  subscription_id text,
  livemode        boolean not null,
  -- The platform-neutral conversion: hashed identifiers only. Cleared when cancelled.
  payload         jsonb,
  -- held: waiting for the money (delayed payment methods); pending: due for delivery at
  -- next_attempt_at; sending: leased by a worker until locked_until; the rest are final.
  status          text not null default 'pending'
                  check (status in ('held', 'pending', 'sending', 'delivered', 'skipped', 'dead', 'cancelled')),
  attempts        integer not null default 0,
  max_attempts    integer not null default 15,
  next_attempt_at timestamptz not null default now(),
  locked_until    timestamptz,
  lease_token     uuid,
  last_error      text,
  last_http_status integer,
  platform_code   text,
  trace_id        text,
  event_time      timestamptz not null,
  source_event_id text not null references public.stripe_events (id),
  created_at      timestamptz not null default now(),
  updated_at      timestamptz not null default now(),
  delivered_at    timestamptz,
  unique (destination, event_name, event_id)
);
create index conversion_outbox_due_idx on public.conversion_outbox (next_attempt_at) where status = 'pending';
create index conversion_outbox_lease_idx on public.conversion_outbox (locked_until) where status = 'sending';
create index conversion_outbox_purchase_idx on public.conversion_outbox (purchase_id) where status = 'held';
create index conversion_outbox_subscription_idx on public.conversion_outbox (subscription_id) where status = 'held';

create table public.delivery_attempts (
  id           bigint generated always as identity primary key,
  outbox_id    bigint not null references public.conversion_outbox (id) on delete cascade,
  attempt      integer not null,
  outcome      text not null check (outcome in ('delivered', 'retryable', 'permanent', 'auth', 'skipped', 'expired')),
  http_status  integer,
  platform_code text,
  trace_id     text,
  latency_ms   integer,
  reason       text,
  attempted_at timestamptz not null default now()
);
create index delivery_attempts_outbox_idx on public.delivery_attempts (outbox_id);

alter table public.stripe_events     enable row level security;
alter table public.customers         enable row level security;
alter table public.purchases         enable row level security;
alter table public.entitlements      enable row level security;
alter table public.conversion_outbox enable row level security;
alter table public.delivery_attempts enable row level security;

-- Supabase's default privileges hand every new public table to anon and authenticated; take that
-- back so the API keys shipped to browsers can reach nothing here.
revoke all on table public.stripe_events, public.customers, public.purchases, public.entitlements,
  public.conversion_outbox, public.delivery_attempts from public, anon, authenticated;
grant select, insert, update, delete on table public.stripe_events, public.customers, public.purchases,
  public.entitlements, public.conversion_outbox, public.delivery_attempts to service_role;
