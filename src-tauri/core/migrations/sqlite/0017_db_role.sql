-- The database role a row came through, as the shared store's server records it (its
-- 0001_journal.sql): empty in a desk's own history, kept in its copy of a shared one.
ALTER TABLE attempts ADD COLUMN db_role TEXT;
ALTER TABLE attempt_events ADD COLUMN db_role TEXT;
ALTER TABLE reviews ADD COLUMN db_role TEXT;
