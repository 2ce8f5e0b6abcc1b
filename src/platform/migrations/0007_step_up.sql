-- Step-up: monitoring can demand a fresh second factor before the next read of tenant data.
alter table users add column step_up_after timestamptz;
