-- Tamper-evident audit log (issue 6). One hash chain + RFC 6962 Merkle tree per tenant; the
-- platform chain has tenant_id NULL. `chain` is the tenant id or the all-zero uuid so that
-- both kinds of chain share one primary key and index.
--
-- Append-only: vigil_app may only INSERT and SELECT events; triggers refuse UPDATE, DELETE and
-- TRUNCATE for everybody. The single exception is the documented retention purge
-- (src/audit/retention.ts): an owner transaction sets `vigil.audit_purge = 'on'`, records a
-- signed anchor in audit_retention_anchors first and may then delete only events at or below that
-- anchor's seq. vigil_app can set the setting but is refused by the current_user check and has
-- no DELETE privilege anyway. Verification detects anything done with the triggers disabled.

create table audit_events (
  tenant_id uuid references tenants (id),
  chain uuid not null generated always as (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) stored,
  seq bigint not null check (seq > 0),
  time timestamptz not null,
  actor_type text not null,
  actor_id text,
  action text not null,
  resource_type text,
  resource_id text,
  outcome text not null,
  reason text,
  ip text,
  ua_hash text,
  request_id text,
  meta jsonb not null default '{}'::jsonb,
  prev_hash bytea not null,
  hash bytea not null,
  primary key (chain, seq)
);
create index audit_events_actor on audit_events (chain, actor_id, seq);
create index audit_events_resource on audit_events (chain, resource_type, resource_id, seq);
create index audit_events_action on audit_events (chain, action, seq);
create index audit_events_time on audit_events (chain, time);

-- Head of each chain: serializes appends (select ... for update) and holds the Merkle compact
-- range (`frontier`, concatenated 32-byte subtree roots, largest first) so checkpoints are O(1).
create table audit_heads (
  tenant_id uuid references tenants (id),
  chain uuid primary key generated always as (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) stored,
  last_seq bigint not null default 0,
  last_hash bytea not null default '\x0000000000000000000000000000000000000000000000000000000000000000'::bytea,
  frontier bytea not null default ''::bytea,
  updated_at timestamptz not null default now()
);

create table audit_signing_keys (
  key_id text primary key,
  public_key_pem text not null,
  created_at timestamptz not null default now()
);

-- Signed tree heads.
create table audit_checkpoints (
  id bigserial primary key,
  tenant_id uuid references tenants (id),
  chain uuid not null generated always as (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) stored,
  tree_size bigint not null check (tree_size >= 0),
  root_hash bytea not null,
  time timestamptz not null,
  key_id text not null,
  signature bytea not null
);
create index audit_checkpoints_chain on audit_checkpoints (chain, tree_size);

-- Retention anchors: the state of the chain at a purge cut, so verification starts from there.
create table audit_retention_anchors (
  id bigserial primary key,
  tenant_id uuid references tenants (id),
  chain uuid not null generated always as (coalesce(tenant_id, '00000000-0000-0000-0000-000000000000'::uuid)) stored,
  seq bigint not null check (seq >= 0),
  last_hash bytea not null,
  frontier bytea not null,
  time timestamptz not null,
  key_id text not null,
  signature bytea not null
);
create index audit_retention_anchors_chain on audit_retention_anchors (chain, seq);

-- SIEM export: the event table itself is the ordered outbox; each sink keeps a cursor per chain.
create table audit_sink_cursors (
  sink_id text not null,
  chain uuid not null,
  last_seq bigint not null default 0,
  updated_at timestamptz not null default now(),
  primary key (sink_id, chain)
);

create or replace function vigil_audit_refuse_change() returns trigger
  language plpgsql as
$$
begin
  if tg_op = 'DELETE' and tg_table_name = 'audit_events'
     and current_user <> 'vigil_app'
     and coalesce(current_setting('vigil.audit_purge', true), '') = 'on'
     and old.seq <= coalesce((select max(a.seq) from audit_retention_anchors a where a.chain = old.chain), 0) then
    return old;
  end if;
  raise exception 'audit log is append-only (% on %)', tg_op, tg_table_name using errcode = '42501';
end
$$;

create or replace function vigil_audit_refuse_truncate() returns trigger
  language plpgsql as
$$
begin
  raise exception 'audit log is append-only (TRUNCATE on %)', tg_table_name using errcode = '42501';
end
$$;

do $$
declare t text;
begin
  foreach t in array array['audit_events', 'audit_checkpoints', 'audit_retention_anchors', 'audit_signing_keys'] loop
    execute format('create trigger %I before update or delete on %I for each row execute function vigil_audit_refuse_change()', t || '_append_only', t);
    execute format('create trigger %I before truncate on %I for each statement execute function vigil_audit_refuse_truncate()', t || '_no_truncate', t);
  end loop;
  foreach t in array array['audit_events', 'audit_heads', 'audit_checkpoints', 'audit_retention_anchors'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    -- Tenant rows only in their tenant's transaction; platform rows only without a tenant.
    execute format('create policy audit_chain_isolation on %I using (tenant_id is not distinct from vigil_current_tenant()) with check (tenant_id is not distinct from vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert on audit_events, audit_checkpoints, audit_retention_anchors to vigil_app;
grant select, insert, update on audit_heads to vigil_app;
grant select on audit_signing_keys to vigil_app;
