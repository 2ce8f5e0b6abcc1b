-- Security awareness programme (issue 27): simulated phishing campaigns, reports of suspicious
-- mail, training modules with a quiz, refresher assignments. What a recipient typed into a
-- landing page is never stored anywhere: an event row says only that a submit happened.
create table phish_campaigns (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 120),
  template text not null check (template in ('parcel', 'password_expiry', 'urgent_refund', 'colleague_chat')),
  -- null: each recipient's own locale.
  language text check (language in ('de', 'en', 'fr')),
  target_roles text[] not null check (cardinality(target_roles) between 1 and 5),
  target_queue uuid references queues (id) on delete set null,
  window_start timestamptz not null,
  window_end timestamptz not null check (window_end >= window_start),
  state text not null default 'draft' check (state in ('draft', 'running', 'finished')),
  created_by uuid,
  launched_at timestamptz,
  created_at timestamptz not null default now()
);
create index phish_campaigns_tenant on phish_campaigns (tenant_id, created_at);

create table phish_recipients (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  campaign_id uuid not null references phish_campaigns (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  language text not null check (language in ('de', 'en', 'fr')),
  send_at timestamptz not null,
  sent_at timestamptz,
  attempts integer not null default 0,
  last_error text check (last_error ~ '^[a-z0-9_]{1,40}$'),
  unique (campaign_id, user_id)
);
create index phish_recipients_due on phish_recipients (send_at) where sent_at is null;

-- The first time each thing happened per recipient: sent, opened, clicked, submitted, reported.
create table phish_events (
  tenant_id uuid not null references tenants (id) on delete cascade,
  recipient_id uuid not null references phish_recipients (id) on delete cascade,
  kind text not null check (kind in ('sent', 'opened', 'clicked', 'submitted', 'reported')),
  at timestamptz not null default now(),
  primary key (recipient_id, kind)
);

-- Mail an agent reported as phishing. A simulated one links to its recipient; a real one is kept
-- encrypted under the tenant key (quarantine) and opens a security alert.
create table phish_reports (
  id uuid primary key,
  tenant_id uuid not null references tenants (id) on delete cascade,
  reporter_id uuid references users (id) on delete set null,
  via text not null check (via in ('console', 'smtp')),
  verdict text not null check (verdict in ('simulation', 'suspicious')),
  recipient_id uuid references phish_recipients (id) on delete set null,
  size integer not null check (size >= 0),
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  mail_enc bytea,
  created_at timestamptz not null default now()
);
create index phish_reports_tenant on phish_reports (tenant_id, created_at);

-- Training content: markdown sections and a quiz, per language and role, versioned. Each module is
-- backed by a row of `trainings`: passing its quiz records the completion the access gate checks.
-- A refresher is assigned to individuals (after a click) and has no gate row.
create table awareness_modules (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  training_id uuid references trainings (id) on delete cascade,
  language text not null check (language in ('de', 'en', 'fr')),
  title text not null check (length(title) between 1 and 200),
  roles text[] not null,
  version integer not null default 1,
  sections jsonb not null,
  quiz jsonb not null,
  pass_percent integer not null check (pass_percent between 1 and 100),
  max_attempts integer not null check (max_attempts between 1 and 20),
  refresher boolean not null default false,
  active boolean not null default true,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index awareness_modules_tenant on awareness_modules (tenant_id, language);

create table awareness_attempts (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  module_id uuid not null references awareness_modules (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  version integer not null,
  score_percent integer not null,
  passed boolean not null,
  created_at timestamptz not null default now()
);
create index awareness_attempts_user on awareness_attempts (module_id, user_id, version);

create table awareness_assignments (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  module_id uuid not null references awareness_modules (id) on delete cascade,
  user_id uuid not null references users (id) on delete cascade,
  reason text not null check (reason in ('simulation_clicked', 'simulation_submitted')),
  campaign_id uuid references phish_campaigns (id) on delete set null,
  due_at timestamptz not null,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  unique (module_id, user_id, campaign_id)
);

do $$
declare t text;
begin
  foreach t in array array['phish_campaigns', 'phish_recipients', 'phish_events', 'phish_reports',
                           'awareness_modules', 'awareness_attempts', 'awareness_assignments'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on phish_campaigns, phish_recipients, phish_reports, awareness_modules,
  awareness_attempts, awareness_assignments to vigil_app;
grant select, insert on phish_events to vigil_app;

-- A reported real phishing mail is the subject of its alert.
alter table monitoring_alerts drop constraint if exists monitoring_alerts_subject_type_check;
alter table monitoring_alerts add constraint monitoring_alerts_subject_type_check
  check (subject_type in ('user', 'ip_range', 'file', 'scanner', 'phish_report'));
