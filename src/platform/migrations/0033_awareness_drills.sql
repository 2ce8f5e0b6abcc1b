-- Social-engineering drills (issue 27 item 4): a simulated chat injected through the ingest path
-- into an agent's queue. The conversation itself carries no mark; only this table knows it is a
-- drill. The score is derived from the audit log (verification, reveals, replies), never from a
-- self-report, and names the rule that decided it.
create table awareness_drills (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  agent_id uuid not null references users (id) on delete cascade,
  queue_id uuid references queues (id) on delete set null,
  scenario text not null check (scenario in ('other_address', 'reset_unverified', 'colleague_iban')),
  language text not null check (language in ('de', 'en', 'fr')),
  conversation_id uuid references conversations (id) on delete set null,
  due_at timestamptz not null,
  result text check (result in ('passed', 'failed', 'no_response')),
  rule text check (rule ~ '^[a-z_]{1,40}$'),
  created_by uuid,
  launched_at timestamptz not null default now(),
  scored_at timestamptz
);
create index awareness_drills_tenant on awareness_drills (tenant_id, launched_at);

alter table awareness_drills enable row level security;
alter table awareness_drills force row level security;
create policy tenant_isolation on awareness_drills
  using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant());
grant select, insert, update on awareness_drills to vigil_app;

-- A failed drill assigns the refresher like a click does.
alter table awareness_assignments drop constraint if exists awareness_assignments_reason_check;
alter table awareness_assignments add constraint awareness_assignments_reason_check
  check (reason in ('simulation_clicked', 'simulation_submitted', 'drill_failed'));
alter table awareness_assignments add column drill_id uuid references awareness_drills (id) on delete set null;
create unique index awareness_assignments_drill on awareness_assignments (module_id, user_id, drill_id)
  where drill_id is not null;
