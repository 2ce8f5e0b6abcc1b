-- Agent inbox (issue 25): search, snooze and canned replies.
--
-- Search never holds plaintext: conversation_terms keeps keyed hashes (the tenant's blind-index
-- key) of the words of the REDACTED text (as stored, tokens removed) and of the customer's name
-- words, so equality search works without decrypting and the index alone reveals no word. The
-- rows go with their conversation (cascade), so an erasure that deletes the conversations
-- leaves no hash behind.
create table conversation_terms (
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  term bytea not null check (length(term) = 16),
  source text not null check (source in ('text', 'name')),
  primary key (conversation_id, term)
);
create index conversation_terms_lookup on conversation_terms (tenant_id, term);

-- How far the indexer has read each conversation (message seq), so re-indexing is incremental.
create table conversation_index_state (
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid primary key references conversations (id) on delete cascade,
  indexed_seq bigint not null default 0,
  indexed_at timestamptz not null default now()
);

-- Snooze: hidden from the working views until the time passes (or the customer writes again).
alter table conversations add column snoozed_until timestamptz;
create index conversations_snoozed on conversations (tenant_id, snoozed_until) where snoozed_until is not null;

-- Canned replies and macros per tenant and language. Bodies are staff-written templates with
-- placeholders such as {{customer.firstName}}; they hold no customer data.
create table macros (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 120),
  language text not null check (language ~ '^[a-z]{2}$'),
  body text not null check (length(body) between 1 and 5000),
  -- Optional status the macro sets on the conversation when used (a macro, not only a text).
  set_status text check (set_status in ('open', 'pending', 'resolved')),
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (tenant_id, language, name)
);

alter table conversation_terms enable row level security;
alter table conversation_terms force row level security;
create policy tenant_isolation on conversation_terms using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());
alter table conversation_index_state enable row level security;
alter table conversation_index_state force row level security;
create policy tenant_isolation on conversation_index_state using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());
alter table macros enable row level security;
alter table macros force row level security;
create policy tenant_isolation on macros using (tenant_id = vigil_current_tenant())
  with check (tenant_id = vigil_current_tenant());

grant select, insert, delete on conversation_terms to vigil_app;
grant select, insert, update on conversation_index_state to vigil_app;
grant select, insert, update, delete on macros to vigil_app;
