-- Malware scanning of inbound files (issue 26). One row per stored file of any channel: its
-- scan state, the type read from its bytes, its SHA-256 and what the scanner found. Only
-- `clean` files are served; `infected` files stay encrypted in their channel's table
-- (quarantine) until the security role releases or deletes them. No file names, no senders'
-- addresses: the channel row keeps those encrypted.
create table file_scans (
  file_id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  source text not null check (source in ('email', 'chat')),
  conversation_id uuid not null references conversations (id) on delete cascade,
  -- The customer the file came from (pseudonymous id; the blind index of the address lives there).
  subject_id uuid,
  state text not null default 'pending'
    check (state in ('pending', 'clean', 'infected', 'unscannable', 'deleted')),
  declared_type text not null check (length(declared_type) between 1 and 100),
  detected_type text check (length(detected_type) between 1 and 100),
  size integer not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  threat text check (threat ~ '^[A-Za-z0-9._:/-]{1,200}$'),
  -- Why a file is pending or unscannable: a code ('scanner_down', 'timeout', 'encrypted_archive').
  last_error text check (last_error ~ '^[a-z0-9_]{1,40}$'),
  attempts integer not null default 0,
  scanner text check (length(scanner) <= 100),
  scanned_at timestamptz,
  released_by uuid,
  released_at timestamptz,
  created_at timestamptz not null default now()
);
create index file_scans_pending on file_scans (created_at) where state = 'pending';
create index file_scans_tenant_state on file_scans (tenant_id, state, created_at);
create index file_scans_conversation on file_scans (conversation_id);

-- Visitor uploads in the chat widget (images and PDF), encrypted like e-mail attachments.
create table chat_attachments (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  message_id uuid not null references messages (id) on delete cascade,
  subject_id uuid not null,
  content_type text not null check (length(content_type) between 3 and 100),
  size integer not null check (size >= 0),
  filename_enc bytea,
  content_enc bytea not null,
  created_at timestamptz not null default now()
);
create index chat_attachments_message on chat_attachments (message_id);

do $$
declare t text;
begin
  foreach t in array array['file_scans', 'chat_attachments'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on file_scans to vigil_app;
grant select, insert, update, delete on chat_attachments to vigil_app;
-- A quarantined file the security role deletes is gone; its scan row stays as evidence.
grant delete on email_attachments to vigil_app;

-- Files stored before scanning existed are scanned like new ones.
insert into file_scans (file_id, tenant_id, source, conversation_id, subject_id, declared_type, size, sha256)
select a.id, a.tenant_id, 'email', e.conversation_id, a.subject_id, a.content_type, a.size, repeat('0', 64)
from email_attachments a join email_messages e on e.id = a.message_id;

-- Alerts about files and the scanner have those as their subject.
alter table monitoring_alerts drop constraint if exists monitoring_alerts_subject_type_check;
alter table monitoring_alerts add constraint monitoring_alerts_subject_type_check
  check (subject_type in ('user', 'ip_range', 'file', 'scanner'));
