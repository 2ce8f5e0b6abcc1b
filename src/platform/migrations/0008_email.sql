-- The e-mail channel (issue 5): per-message e-mail metadata next to `messages`, and attachments.
-- Message-IDs can contain addresses: only their SHA-256 (per tenant) is stored in clear, for
-- threading and idempotency; the raw header values needed to answer (Message-ID, References,
-- the customer's reply address, our from-address) are kept encrypted (headers_enc) under the
-- customer's subject key. The HTML part is stored sanitized and encrypted.

create table email_messages (
  id uuid primary key references messages (id) on delete cascade,
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  subject_id uuid not null,
  direction text not null check (direction in ('inbound', 'outbound')),
  -- sha256 hex of the normalized Message-ID (lower-cased, without angle brackets).
  msgid_hash text not null check (msgid_hash ~ '^[0-9a-f]{64}$'),
  headers_enc bytea not null,
  html_enc bytea,
  -- What was dropped: [{reason, contentType, size}] (never file names).
  dropped jsonb not null default '[]'::jsonb,
  -- Outbound delivery through the relay: error code of the last attempt, bounded retries.
  delivery_error text check (delivery_error is null or delivery_error ~ '^[a-z0-9_]{1,40}$'),
  attempts integer not null default 0,
  next_attempt_at timestamptz,
  created_at timestamptz not null default now()
);
create index email_messages_thread on email_messages (tenant_id, msgid_hash);
create index email_messages_conversation on email_messages (conversation_id, created_at);
create index email_messages_retry on email_messages (next_attempt_at) where next_attempt_at is not null;

create table email_attachments (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  message_id uuid not null references email_messages (id) on delete cascade,
  subject_id uuid not null,
  content_type text not null check (length(content_type) between 3 and 100),
  size integer not null check (size >= 0),
  filename_enc bytea,
  content_enc bytea not null,
  created_at timestamptz not null default now()
);
create index email_attachments_message on email_attachments (message_id);

do $$
declare t text;
begin
  foreach t in array array['email_messages', 'email_attachments'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on email_messages, email_attachments to vigil_app;
