-- Cockpit fails closed (issue 31): per-tenant enforcement settings pushed to the extension
-- (sites outside the catalogue, offline lock grace, heartbeat interval, tamper grace and response,
-- managed-browser requirement), and per device whether it runs under enterprise policy and the
-- last event sequence number received (replayed offline queues are deduplicated, gaps recorded).

alter table cockpit_settings
  add column unlisted_sites text not null default 'allow'
    check (unlisted_sites in ('block', 'allow', 'strip_cookies')),
  add column offline_grace_seconds integer not null default 30
    check (offline_grace_seconds between 1 and 3600),
  add column heartbeat_seconds integer not null default 10 check (heartbeat_seconds between 1 and 300),
  -- null: the deployment's VIGIL_COCKPIT_HEARTBEAT_GRACE_SECONDS.
  add column tamper_grace_seconds integer check (tamper_grace_seconds between 1 and 3600),
  -- null: 'both' (suspend and alert) for agents, 'notify' for everyone else.
  add column tamper_action text check (tamper_action in ('notify', 'suspend', 'both')),
  add column require_managed boolean not null default false;

alter table cockpit_devices
  add column managed boolean not null default false,
  add column event_seq bigint not null default 0;

-- Access reviews (issue 31): whether a campaign may only close once every item is decided.
-- Otherwise closing accepts the open proposals (a proposed revoke is applied, the rest kept).
create table access_review_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  require_all_decided boolean not null default false,
  updated_at timestamptz not null default now()
);
alter table access_review_settings enable row level security;
alter table access_review_settings force row level security;
create policy tenant_isolation on access_review_settings
  using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant());
grant select, insert, update on access_review_settings to vigil_app;
