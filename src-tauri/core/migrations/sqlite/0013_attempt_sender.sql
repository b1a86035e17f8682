-- Who sends an attempt's request, when it last left, and how long its sender waits for the
-- answer: what decides when anyone else may take a `submitting` attempt over, and how long
-- a gateway's "no such payment" must wait to be believed (src/sender.rs). It replaces
-- owner_pid: a process id alone is reused, and says nothing of a task dropped mid-request.
ALTER TABLE attempts ADD COLUMN sender TEXT;
ALTER TABLE attempts ADD COLUMN sender_process TEXT;
ALTER TABLE attempts ADD COLUMN sender_timeout_ms INTEGER;
ALTER TABLE attempts ADD COLUMN sent_at INTEGER;
-- Open attempts keep when their request last left; their timeout stays unrecorded, so the
-- longest a sender may wait is assumed.
UPDATE attempts SET sent_at = (
    SELECT max(e.at) FROM attempt_events e
    WHERE e.attempt_id = attempts.id AND e.state = 'submitting'
) WHERE state IN ('submitting', 'unknown', 'pending');
ALTER TABLE attempts DROP COLUMN owner_pid;
