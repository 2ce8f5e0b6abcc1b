-- Password reset by a tenant admin (issue 20): the hash of a one-time reset token and its expiry.
-- While a reset is pending the password hash is unusable, so the old password no longer signs in.
alter table users add column password_reset_hash bytea;
alter table users add column password_reset_expires_at timestamptz;
create unique index users_password_reset on users (password_reset_hash) where password_reset_hash is not null;
