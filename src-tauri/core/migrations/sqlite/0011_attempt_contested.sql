-- A gateway's report that contradicts a settled payment (a callback saying paid for a
-- payment recorded as failed, or naming another amount), kept as evidence until a person
-- decides: the state itself changes only by that decision (AttemptState::can_be_decided).
ALTER TABLE attempts ADD COLUMN contested TEXT;
-- The status bar counts what waits for a person on every refresh: never a scan of every row.
CREATE INDEX attempts_contested ON attempts(id) WHERE contested IS NOT NULL;
