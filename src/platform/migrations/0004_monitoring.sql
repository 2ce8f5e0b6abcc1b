-- Insider-threat monitoring: alerts with evidence references and comments, per-tenant rule
-- configuration, shift schedules, agent baselines and known devices. Depends only on 0001.
-- Alerts hold ids, counts and audit event references (tenant + seq), never personal data.

create table monitoring_rule_configs (
  tenant_id uuid not null references tenants (id) on delete cascade,
  rule_id text not null check (rule_id ~ '^[a-z_]{1,64}$'),
  -- The override as set (enabled, threshold, windowSeconds, severity, action, params).
  config jsonb not null,
  updated_by uuid references users (id) on delete set null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, rule_id)
);

create table monitoring_shifts (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  time_zone text not null check (length(time_zone) between 1 and 64),
  slots jsonb not null,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

create table monitoring_agent_baselines (
  tenant_id uuid not null references tenants (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  hourly_mean double precision not null check (hourly_mean >= 0),
  hourly_var double precision not null check (hourly_var >= 0),
  samples integer not null check (samples >= 0),
  updated_at timestamptz not null default now(),
  primary key (tenant_id, user_id)
);

create table monitoring_alerts (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  rule_id text not null,
  severity text not null check (severity in ('low', 'medium', 'high', 'critical')),
  action text not null check (action in ('alert', 'step-up', 'suspend')),
  action_status text not null default 'none' check (action_status in ('none', 'pending', 'done', 'failed')),
  subject_type text not null check (subject_type in ('user', 'ip_range')),
  subject_id text not null check (length(subject_id) <= 64),
  state text not null default 'open' check (state in ('open', 'acknowledged', 'resolved', 'false_positive')),
  observed integer not null,
  threshold integer not null,
  window_seconds integer not null,
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  dedupe_until timestamptz not null,
  evidence_count integer not null default 0,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index monitoring_alerts_recent on monitoring_alerts (tenant_id, created_at desc, id desc);
create index monitoring_alerts_open on monitoring_alerts (tenant_id, rule_id, subject_id)
  where state in ('open', 'acknowledged');

-- Evidence rows are append-only for the application role: references, never copies of events.
create table monitoring_alert_evidence (
  tenant_id uuid not null references tenants (id) on delete cascade,
  alert_id uuid not null references monitoring_alerts (id) on delete cascade,
  event_seq bigint not null,
  primary key (alert_id, event_seq)
);

create table monitoring_alert_comments (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  tenant_id uuid not null references tenants (id) on delete cascade,
  alert_id uuid not null references monitoring_alerts (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  state_from text,
  state_to text,
  body text check (length(body) <= 2000),
  created_at timestamptz not null default now()
);
create index monitoring_alert_comments_alert on monitoring_alert_comments (alert_id, created_at);

do $$
declare t text;
begin
  foreach t in array array['monitoring_rule_configs', 'monitoring_shifts', 'monitoring_agent_baselines',
                           'monitoring_alerts', 'monitoring_alert_evidence', 'monitoring_alert_comments'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

-- Platform-wide alerts (tenant NULL: failed logins per network, sessions outside any tenant) and
-- known devices (users span tenants). Same columns, tenant_id always NULL, visible only in
-- platform transactions so no tenant can read another's login traffic.
create table monitoring_platform_alerts (like monitoring_alerts including defaults including constraints);
alter table monitoring_platform_alerts alter column tenant_id drop not null;
alter table monitoring_platform_alerts add primary key (id);
alter table monitoring_platform_alerts add constraint monitoring_platform_alerts_no_tenant check (tenant_id is null);
create index monitoring_platform_alerts_recent on monitoring_platform_alerts (created_at desc, id desc);

create table monitoring_platform_alert_evidence (
  tenant_id uuid check (tenant_id is null),
  alert_id uuid not null references monitoring_platform_alerts (id) on delete cascade,
  event_seq bigint not null,
  primary key (alert_id, event_seq)
);

create table monitoring_platform_alert_comments (
  id uuid primary key default gen_random_uuid(),
  seq bigint generated always as identity,
  tenant_id uuid check (tenant_id is null),
  alert_id uuid not null references monitoring_platform_alerts (id) on delete cascade,
  author_id uuid references users (id) on delete set null,
  state_from text,
  state_to text,
  body text check (length(body) <= 2000),
  created_at timestamptz not null default now()
);

create table monitoring_known_devices (
  user_id uuid not null references users (id) on delete cascade,
  kind text not null check (kind in ('ua', 'ip_range')),
  -- The client's ua hash, or a keyed hash of the /24 or /48 range: never the address.
  value_hash text not null check (length(value_hash) <= 128),
  first_seen_at timestamptz not null,
  last_seen_at timestamptz not null,
  primary key (user_id, kind, value_hash)
);

do $$
declare t text;
begin
  foreach t in array array['monitoring_platform_alerts', 'monitoring_platform_alert_evidence',
                           'monitoring_platform_alert_comments', 'monitoring_known_devices'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy platform_only on %I using (vigil_current_tenant() is null) with check (vigil_current_tenant() is null)', t);
  end loop;
end $$;

grant select, insert, update, delete on monitoring_rule_configs, monitoring_shifts, monitoring_agent_baselines,
  monitoring_known_devices to vigil_app;
grant select, insert, update on monitoring_alerts, monitoring_platform_alerts to vigil_app;
grant select, insert on monitoring_alert_evidence, monitoring_alert_comments, monitoring_platform_alert_evidence,
  monitoring_platform_alert_comments to vigil_app;
