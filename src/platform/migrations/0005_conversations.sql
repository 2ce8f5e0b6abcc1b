-- Conversations and channels (issue 5): customers (small CRM), conversations, messages from every
-- channel, PII tokens, chat widget, voice calls, inbound e-mail addresses, PII policy per tenant.
-- Personal data lives only in *_enc columns (keyring envelopes under the customer's subject key);
-- lookups go through blind indexes. Every table is tenant-owned: tenant_id + ENABLE/FORCE RLS.

create table tenant_pii_policies (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  policy jsonb not null,
  updated_at timestamptz not null default now()
);

create table customers (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  name_enc bytea,
  emails_enc bytea,
  phones_enc bytea,
  address_enc bytea,
  dob_enc bytea,
  customer_number_enc bytea,
  notes_enc bytea,
  language text check (language is null or language ~ '^[a-z]{2}$'),
  consents jsonb not null default '{}'::jsonb,
  source text not null default 'agent' check (source in ('agent', 'chat', 'email', 'voice', 'import', 'demo')),
  merged_into uuid references customers (id) on delete set null,
  erased_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index customers_tenant_created on customers (tenant_id, created_at desc, id desc);

-- Blind indexes (HMAC under the tenant's index key) of e-mails, phones and customer numbers.
create table customer_identifiers (
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null references customers (id) on delete cascade,
  kind text not null check (kind in ('email', 'phone', 'customer_number')),
  blind bytea not null,
  primary key (tenant_id, kind, blind, customer_id)
);
create index customer_identifiers_customer on customer_identifiers (customer_id);

-- Round-robin: the member assigned least recently gets the next conversation.
alter table queue_members add column last_assigned_at timestamptz;

create table conversations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null references customers (id),
  channel text not null check (channel in ('chat', 'email', 'voice')),
  status text not null default 'open' check (status in ('open', 'pending', 'resolved', 'closed')),
  priority text not null default 'normal' check (priority in ('low', 'normal', 'high', 'urgent')),
  tags text[] not null default '{}',
  queue_id uuid references queues (id) on delete set null,
  assignee_id uuid references users (id) on delete set null,
  subject_enc bytea,
  visitor_id uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_message_at timestamptz not null default now()
);
create index conversations_list on conversations (tenant_id, last_message_at desc, id desc);
create index conversations_customer on conversations (customer_id);
create index conversations_visitor on conversations (tenant_id, visitor_id) where visitor_id is not null;

create table messages (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  -- The subject key the body is encrypted under (the customer at the time of writing).
  subject_id uuid not null,
  channel text not null check (channel in ('chat', 'email', 'voice', 'note')),
  kind text not null check (kind in ('message', 'note', 'transcript')),
  direction text not null check (direction in ('inbound', 'outbound', 'internal')),
  author_type text not null check (author_type in ('customer', 'visitor', 'agent', 'system', 'service')),
  author_id uuid,
  body_enc bytea not null,
  -- What the PII engine found and did: [{type, operator}] only, never values or offsets.
  findings jsonb not null default '[]'::jsonb,
  delivery_state text not null default 'received'
    check (delivery_state in ('received', 'pending', 'sent', 'delivered', 'failed', 'internal')),
  -- sha256 (hex) of the channel's idempotency key: a retry never stores a second copy.
  idem_hash text,
  speaker text check (speaker is null or speaker in ('customer', 'agent', 'ivr', 'other')),
  start_ms integer check (start_ms is null or start_ms >= 0),
  end_ms integer check (end_ms is null or end_ms >= 0),
  seq bigserial,
  created_at timestamptz not null default now()
);
create unique index messages_idempotency on messages (tenant_id, idem_hash) where idem_hash is not null;
create index messages_conversation on messages (conversation_id, seq);

-- Tokenized values: the original, encrypted under the customer's subject key.
create table pii_tokens (
  token text primary key check (token ~ '^tok_[a-z0-9]{20}$'),
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  message_id uuid not null,
  subject_id uuid not null,
  entity_type text not null,
  value_enc bytea not null,
  created_at timestamptz not null default now()
);
create index pii_tokens_conversation on pii_tokens (conversation_id);

create table chat_widget_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  enabled boolean not null default true,
  allowed_origins text[] not null default '{}',
  queue_id uuid references queues (id) on delete set null,
  updated_at timestamptz not null default now()
);

create table chat_visitors (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  customer_id uuid not null references customers (id),
  created_at timestamptz not null default now(),
  last_seen_at timestamptz not null default now()
);

create table calls (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  subject_id uuid not null,
  direction text not null check (direction in ('inbound', 'outbound')),
  from_enc bytea not null,
  to_enc bytea not null,
  -- sha256 (hex) of the telephony system's call id: creating the same call twice is idempotent.
  external_hash text,
  queue_id uuid references queues (id) on delete set null,
  started_at timestamptz not null default now(),
  ended_at timestamptz,
  consent text not null default 'unknown' check (consent in ('unknown', 'granted', 'denied')),
  consent_method text check (consent_method is null or consent_method in ('ivr', 'agent')),
  consent_at timestamptz,
  recording_ref_enc bytea,
  created_at timestamptz not null default now(),
  check (recording_ref_enc is null or consent = 'granted')
);
create unique index calls_external on calls (tenant_id, external_hash) where external_hash is not null;
create index calls_conversation on calls (conversation_id);

-- Inbound e-mail routing (used by the SMTP channel): address -> tenant and queue.
create table email_inbound_addresses (
  tenant_id uuid not null references tenants (id) on delete cascade,
  address text not null unique check (address = lower(address) and length(address) between 3 and 254),
  queue_id uuid references queues (id) on delete set null,
  created_at timestamptz not null default now()
);

do $$
declare t text;
begin
  foreach t in array array['tenant_pii_policies', 'customers', 'customer_identifiers', 'conversations',
    'messages', 'pii_tokens', 'chat_widget_settings', 'chat_visitors', 'calls', 'email_inbound_addresses'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

-- Before the tenant is known (an SMTP RCPT TO), the address must resolve to its tenant. This
-- definer function answers exactly that one question and nothing else.
create function vigil_inbound_address(addr text) returns table (tenant_id uuid, queue_id uuid)
  language sql stable security definer set search_path = public as
$$ select a.tenant_id, a.queue_id from email_inbound_addresses a where a.address = lower(addr) $$;
revoke all on function vigil_inbound_address(text) from public;
grant execute on function vigil_inbound_address(text) to vigil_app;

grant select, insert, update, delete on tenant_pii_policies, customers, customer_identifiers,
  conversations, pii_tokens, chat_widget_settings, chat_visitors, calls, email_inbound_addresses to vigil_app;
grant select, insert, update on messages to vigil_app;
grant usage, select on sequence messages_seq_seq to vigil_app;
