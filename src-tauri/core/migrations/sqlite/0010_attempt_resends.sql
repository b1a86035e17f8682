-- How often an attempt's request was sent again under its idempotency key (a same-key
-- resend, or a status query that is a resend, as TOP's is). Every resend counts against one
-- bound, whoever sent it (Pay, Check status, the reconciler); past it a person decides.
ALTER TABLE attempts ADD COLUMN resends INTEGER NOT NULL DEFAULT 0;
