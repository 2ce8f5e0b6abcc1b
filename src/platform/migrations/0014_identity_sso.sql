-- Workforce identity (issue 14, SSO part): external identity providers (OIDC, SAML), the links
-- from their subjects to Vigil users, sign-in state, SAML replay protection, passkeys and the
-- "phishing-resistant factor required" policy. Like users, memberships and sessions these are
-- platform tables: sign-in happens before any tenant is chosen. A provider or policy row that
-- belongs to one tenant names it in tenant_id; the services always filter by it explicitly.

create table identity_providers (
  id uuid primary key default gen_random_uuid(),
  slug text not null unique check (slug ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  -- NULL: platform-wide; otherwise only members of this tenant may sign in through it.
  tenant_id uuid references tenants (id) on delete cascade,
  kind text not null check (kind in ('oidc', 'saml')),
  -- Non-secret settings (issuer, client id, SAML entry point and certificate, MFA values).
  settings jsonb not null,
  client_secret_sealed bytea,
  allowed_domains text[] not null check (cardinality(allowed_domains) >= 1),
  enabled boolean not null default true,
  created_at timestamptz not null default now()
);

create table identity_links (
  id uuid primary key default gen_random_uuid(),
  provider_id uuid not null references identity_providers (id) on delete cascade,
  -- The IdP's stable subject (OIDC `sub`, SAML NameID), never the e-mail address.
  subject text not null check (length(subject) between 1 and 512),
  user_id uuid not null references users (id) on delete cascade,
  created_at timestamptz not null default now(),
  last_login_at timestamptz,
  unique (provider_id, subject)
);
create index identity_links_user on identity_links (user_id);

-- One row per started SSO sign-in (OIDC state or SAML request id); single use, short-lived.
create table sso_states (
  id uuid primary key default gen_random_uuid(),
  state_hash bytea not null unique,
  provider_id uuid not null references identity_providers (id) on delete cascade,
  -- Hash of a random value in an HttpOnly cookie: the callback must come from the same browser.
  browser_hash bytea,
  nonce text,
  code_verifier_sealed bytea,
  ua_hash text,
  expires_at timestamptz not null,
  used_at timestamptz,
  created_at timestamptz not null default now()
);

-- SAML assertion ids seen, kept until the assertion expires: a replayed assertion is refused.
create table saml_assertions_seen (
  provider_id uuid not null references identity_providers (id) on delete cascade,
  assertion_id text not null,
  expires_at timestamptz not null,
  primary key (provider_id, assertion_id)
);

create table webauthn_credentials (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users (id) on delete cascade,
  credential_id text not null unique,
  public_key bytea not null,
  counter bigint not null default 0,
  transports text[] not null default '{}',
  device_type text not null,
  backed_up boolean not null default false,
  created_at timestamptz not null default now(),
  last_used_at timestamptz
);
create index webauthn_credentials_user on webauthn_credentials (user_id);

create table webauthn_challenges (
  id uuid primary key default gen_random_uuid(),
  challenge text not null unique,
  user_id uuid not null references users (id) on delete cascade,
  purpose text not null check (purpose in ('register', 'login', 'step_up')),
  -- The sign-in challenge (login) or the session (register, step-up) this ceremony belongs to.
  mfa_challenge_id uuid references mfa_challenges (id) on delete cascade,
  session_id uuid references sessions (id) on delete cascade,
  expires_at timestamptz not null,
  used_at timestamptz
);

-- Who must use a phishing-resistant factor (passkey, or an IdP asserting one): a tenant's
-- members in one role, or all its roles (role NULL). TOTP and recovery codes no longer suffice.
create table phishing_resistant_policies (
  id uuid primary key default gen_random_uuid(),
  tenant_id uuid not null references tenants (id) on delete cascade,
  role text check (role in ('agent', 'supervisor', 'tenant_admin', 'security_officer', 'dpo')),
  created_at timestamptz not null default now()
);
create unique index phishing_resistant_policies_unique
  on phishing_resistant_policies (tenant_id, coalesce(role, '*'));

-- Which first factor a sign-in challenge follows (password, or an SSO login without IdP MFA).
alter table mfa_challenges add column first_factor text not null default 'pwd'
  check (first_factor in ('pwd', 'oidc', 'saml'));

grant select, insert, update on identity_providers, identity_links to vigil_app;
grant select, insert, update, delete on sso_states, saml_assertions_seen, webauthn_challenges,
  phishing_resistant_policies to vigil_app;
grant select, insert, update, delete on webauthn_credentials to vigil_app;
