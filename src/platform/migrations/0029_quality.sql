-- Quality reviews (issue 29). Scorecards are tenant-defined (criteria with weights; auto-fail
-- items fail the whole review). A review belongs to one reviewer and one conversation; a
-- calibration groups the reviews of several reviewers on the same conversation. Comments and
-- dispute texts are stored after the PII engine has redacted them; no customer data is copied.
create table quality_settings (
  tenant_id uuid primary key references tenants (id) on delete cascade,
  -- Blind review: reviewers do not see which agent handled the conversation.
  blind_review boolean not null default false,
  updated_at timestamptz not null default now()
);

create table quality_scorecards (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  name text not null check (length(name) between 1 and 200),
  -- [{ "key": "greeting", "label": "…", "weight": 2, "autoFail": false }]
  criteria jsonb not null check (jsonb_typeof(criteria) = 'array'),
  created_by uuid,
  created_at timestamptz not null default now()
);
create index quality_scorecards_tenant on quality_scorecards (tenant_id, created_at);

create table quality_calibrations (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  scorecard_id uuid not null references quality_scorecards (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  created_by uuid,
  created_at timestamptz not null default now()
);

create table quality_reviews (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  scorecard_id uuid not null references quality_scorecards (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  calibration_id uuid references quality_calibrations (id) on delete cascade,
  -- Who handled the conversation when it was sampled, and its queue (for trends).
  agent_id uuid,
  queue_id uuid,
  reviewer_id uuid not null,
  status text not null default 'assigned' check (status in ('assigned', 'scored', 'disputed', 'resolved')),
  scores jsonb,
  total numeric(5, 2) check (total between 0 and 100),
  auto_failed boolean not null default false,
  comment text check (length(comment) <= 2000),
  dispute_reason text check (length(dispute_reason) <= 2000),
  resolution text check (length(resolution) <= 2000),
  created_at timestamptz not null default now(),
  scored_at timestamptz,
  disputed_at timestamptz,
  resolved_at timestamptz
);
-- One regular review per reviewer, scorecard and conversation; one per reviewer in a calibration.
create unique index quality_reviews_once on quality_reviews (scorecard_id, conversation_id, reviewer_id)
  where calibration_id is null;
create unique index quality_reviews_calibration_once on quality_reviews (calibration_id, reviewer_id)
  where calibration_id is not null;
create index quality_reviews_reviewer on quality_reviews (tenant_id, reviewer_id, status);
create index quality_reviews_agent on quality_reviews (tenant_id, agent_id, scored_at);

do $$
declare t text;
begin
  foreach t in array array['quality_settings', 'quality_scorecards', 'quality_calibrations', 'quality_reviews'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update on quality_settings, quality_scorecards, quality_calibrations, quality_reviews to vigil_app;

-- French consoles (issue 29): staff may choose fr as their language.
alter table users drop constraint if exists users_locale_check;
alter table users add constraint users_locale_check check (locale in ('en', 'de', 'fr'));

-- Automation data (issue 29): consent to training exports, and the manifest of every export.
alter table consent_records drop constraint if exists consent_records_purpose_check;
alter table consent_records add constraint consent_records_purpose_check
  check (purpose in ('marketing', 'processing', 'recording', 'analytics', 'training'));

create table automation_exports (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  created_by uuid not null,
  reason text not null check (length(reason) between 1 and 200),
  k integer not null check (k >= 2),
  quasi_identifiers text[] not null,
  records integer not null,
  suppressed integer not null,
  excluded_no_consent integer not null,
  sha256 text not null check (sha256 ~ '^[0-9a-f]{64}$'),
  created_at timestamptz not null default now()
);
alter table automation_exports enable row level security;
alter table automation_exports force row level security;
create policy tenant_isolation on automation_exports
  using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant());
grant select, insert on automation_exports to vigil_app;
