-- Consoles (issue 25): how far each person has read a conversation, for the inbox's unread marker
-- and the tab title's count. A message sequence number only; no content.
create table conversation_reads (
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  last_read_seq bigint not null,
  read_at timestamptz not null default now(),
  primary key (conversation_id, user_id)
);

alter table conversation_reads enable row level security;
alter table conversation_reads force row level security;
create policy tenant_isolation on conversation_reads using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());

grant select, insert, update on conversation_reads to vigil_app;
