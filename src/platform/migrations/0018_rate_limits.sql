-- Rate-limit counters shared by all nodes of a cluster (issue 11): a limit of 5 sign-in attempts
-- a minute must hold whichever node a load balancer picks. One row per limited key and route:
-- `key` is the SHA-256 of route and client key (an IP address or a visitor id), so no address is
-- stored; rows are purged a day after their window began. Platform table, owner access only.
create table rate_limit_hits (
  key bytea primary key check (octet_length(key) = 32),
  window_start timestamptz not null,
  hits integer not null check (hits > 0)
);
create index rate_limit_hits_window on rate_limit_hits (window_start);
