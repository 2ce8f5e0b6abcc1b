-- Job leases: a scheduled job (checkpoints, SIEM export, e-mail retries, retention, rotation)
-- runs on one node of a cluster at a time. A lease has a holder and an expiry on the database
-- clock (no node clocks involved); the fencing token grows with every change of holder, so work
-- done under a stale lease can be recognised. Platform table: no tenant, no personal data,
-- used by background jobs through owner transactions only.
create table job_leases (
  name text primary key check (name ~ '^[a-z0-9_.:-]{1,100}$'),
  holder text not null check (length(holder) between 1 and 200),
  fencing_token bigint not null default 1,
  acquired_at timestamptz not null default now(),
  expires_at timestamptz not null
);
