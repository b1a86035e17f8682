-- Who started each attempt, and who wrote each event and each decision: the desk (a data
-- directory's name) and the operator working it. Rows written before are the unnamed desk's.
ALTER TABLE attempts ADD COLUMN desk TEXT NOT NULL DEFAULT '';
ALTER TABLE attempts ADD COLUMN operator TEXT NOT NULL DEFAULT '';
ALTER TABLE attempt_events ADD COLUMN desk TEXT NOT NULL DEFAULT '';
ALTER TABLE attempt_events ADD COLUMN operator TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN desk TEXT NOT NULL DEFAULT '';
ALTER TABLE reviews ADD COLUMN operator TEXT NOT NULL DEFAULT '';
-- This data directory's own settings: the name of its desk and of the operator working it.
CREATE TABLE desk_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
