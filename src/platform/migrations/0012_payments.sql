-- Caller verification, part 2 (issue 9): one-time codes to the e-mail or phone on file, signed-in
-- chat visitors as a factor, a security timeline per conversation, and secure payment capture.
-- No code, no identity claim in clear, and no card number or CVC is ever stored here: codes are
-- HMACs under a server pepper, claims are blind indexes, cards are only brand + last four digits
-- and the payment provider's token.

alter table verification_policies drop constraint verification_policies_factors_check;
alter table verification_policies add constraint verification_policies_factors_check
  check (factors <@ array['date_of_birth', 'postcode', 'customer_number', 'one_time_code', 'signed_in_visitor']::text[]
    and cardinality(factors) >= 1);
alter table verification_policies drop constraint verification_policies_required_check;
alter table verification_policies add constraint verification_policies_required_check check (required between 1 and 5);

create table verification_codes (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  customer_id uuid not null,
  channel text not null check (channel in ('email', 'sms')),
  -- HMAC-SHA-256 over (id, code) under a server pepper: a dump alone cannot brute-force 10^6 codes.
  code_hash bytea not null,
  attempts integer not null default 0 check (attempts >= 0),
  expires_at timestamptz not null,
  consumed_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now()
);
create index verification_codes_conversation on verification_codes (conversation_id, created_at desc);

-- The per-tenant secret the tenant's web site signs visitor identity tokens with (sealed).
create table visitor_identity_secrets (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  secret_sealed bytea not null,
  created_at timestamptz not null default now()
);

-- A signed-in visitor's claim for one conversation: the blind index of the customer number only.
create table conversation_visitor_identities (
  conversation_id uuid primary key references conversations (id) on delete cascade,
  tenant_id uuid not null references tenants (id) on delete cascade,
  subject_blind bytea not null,
  expires_at timestamptz not null,
  created_at timestamptz not null default now()
);

-- What agents see on a conversation's security timeline: types, ids and outcomes, no values.
create table conversation_events (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  type text not null check (type ~ '^[a-z_]+\.[a-z_.]+$'),
  actor_type text not null,
  actor_id text,
  meta jsonb not null default '{}',
  -- clock_timestamp: several events of one transaction keep their order.
  created_at timestamptz not null default clock_timestamp()
);
create index conversation_events_conversation on conversation_events (conversation_id, created_at, id);

create table payment_requests (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  method text not null check (method in ('link', 'dtmf')),
  amount_minor bigint not null check (amount_minor > 0 and amount_minor <= 100000000),
  currency text not null check (currency ~ '^[A-Z]{3}$'),
  reference text not null check (char_length(reference) between 1 and 64),
  status text not null default 'pending'
    check (status in ('pending', 'succeeded', 'declined', 'expired', 'cancelled', 'failed')),
  -- SHA-256 of the single-use link token (link method only).
  link_hash bytea unique,
  expires_at timestamptz not null,
  used_at timestamptz,
  -- Voice conversations: recording and transcription paused until the request is settled.
  recording_paused boolean not null default false,
  provider text not null,
  provider_token text,
  card_brand text,
  card_last4 text check (card_last4 ~ '^[0-9]{4}$'),
  decline_code text,
  created_by uuid not null,
  created_at timestamptz not null default now(),
  completed_at timestamptz
);
create index payment_requests_conversation on payment_requests (conversation_id, created_at desc);

do $$
declare t text;
begin
  foreach t in array array['verification_codes', 'visitor_identity_secrets', 'conversation_visitor_identities',
                           'conversation_events', 'payment_requests'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on verification_codes, visitor_identity_secrets,
  conversation_visitor_identities, payment_requests to vigil_app;
grant select, insert on conversation_events to vigil_app;
