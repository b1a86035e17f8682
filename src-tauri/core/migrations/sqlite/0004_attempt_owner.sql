-- The process that is sending an attempt. When it is gone while the attempt is still
-- `submitting` (a crash, kill -9), the next paydesk to start settles the attempt instead of
-- waiting for the stuck-sender timeout.
ALTER TABLE attempts ADD COLUMN owner_pid INTEGER;
CREATE INDEX attempts_submitting ON attempts(state) WHERE state = 'submitting';
