-- Issue 29, continued: routing by language, customer satisfaction, and the QA reviewer role.

-- The language detected in a conversation's first customer message (ISO 639-1), null when it
-- could not be told. Set once when the conversation opens; routing and translation read it.
alter table conversations add column language text check (language is null or language ~ '^[a-z]{2}$');

-- Per tenant: new chat and e-mail conversations in this language go to this queue.
create table language_routes (
  tenant_id uuid not null references tenants (id) on delete cascade,
  language text not null check (language in ('de', 'en', 'es', 'fr')),
  queue_id uuid not null references queues (id) on delete cascade,
  updated_by uuid,
  updated_at timestamptz not null default now(),
  primary key (tenant_id, language)
);

-- Customer satisfaction: one survey per resolution, answered once (1..5) through a signed token.
-- No text, no address, no name: the score, when, and which queue and agent it concerns.
create table csat_surveys (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  conversation_id uuid not null references conversations (id) on delete cascade,
  channel text not null check (channel in ('chat', 'email')),
  queue_id uuid,
  agent_id uuid,
  score smallint check (score between 1 and 5),
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  answered_at timestamptz,
  check ((score is null) = (answered_at is null))
);
-- At most one open survey per conversation (a re-resolved conversation after an answer gets a new one).
create unique index csat_surveys_open on csat_surveys (conversation_id) where answered_at is null;
create index csat_surveys_score on csat_surveys (tenant_id, score, answered_at) where answered_at is not null;

do $$
declare t text;
begin
  foreach t in array array['language_routes', 'csat_surveys'] loop
    execute format('alter table %I enable row level security', t);
    execute format('alter table %I force row level security', t);
    execute format('create policy tenant_isolation on %I using (tenant_id = vigil_current_tenant()) with check (tenant_id = vigil_current_tenant())', t);
  end loop;
end $$;

grant select, insert, update, delete on language_routes to vigil_app;
grant select, insert, update on csat_surveys to vigil_app;

-- The QA reviewer role: scores pseudonymised conversations, nothing else.
alter table memberships drop constraint if exists memberships_role_check;
alter table memberships add constraint memberships_role_check
  check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'platform_admin', 'qa_reviewer'));
alter table role_grant_requests drop constraint if exists role_grant_requests_role_check;
alter table role_grant_requests add constraint role_grant_requests_role_check
  check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'));
alter table phishing_resistant_policies drop constraint if exists phishing_resistant_policies_role_check;
alter table phishing_resistant_policies add constraint phishing_resistant_policies_role_check
  check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'));
alter table scim_config drop constraint if exists scim_config_default_role_check;
alter table scim_config add constraint scim_config_default_role_check
  check (default_role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'));
alter table access_policies drop constraint if exists access_policies_role_check;
alter table access_policies add constraint access_policies_role_check
  check (role in ('*', 'agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer'));
alter table trainings drop constraint if exists trainings_required_roles_check;
alter table trainings add constraint trainings_required_roles_check
  check (required_roles <@ array['agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo', 'qa_reviewer']::text[]);
