-- attempts.idempotency_key is UNIQUE (migration 0001), so SQLite already keeps an index of it;
-- the second one (0005) only doubled the pages every new attempt writes before it is sent.
DROP INDEX IF EXISTS attempts_by_idempotency_key;
