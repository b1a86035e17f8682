-- What each desk's copy of the shared history catches up on: the attempts that changed since
-- its last copy (store/cache.rs).
CREATE INDEX attempts_by_updated ON attempts(updated_at);
