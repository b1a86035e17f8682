-- What a resend of an attempt needs besides channel and deductions, so that a retry sends
-- exactly the same payment under the same idempotency key.
ALTER TABLE attempts ADD COLUMN coupon TEXT;
ALTER TABLE attempts ADD COLUMN credit_minor INTEGER;
-- The reconciler's schedule: how often it asked, and when it asks next (NULL: not due).
ALTER TABLE attempts ADD COLUMN checks INTEGER NOT NULL DEFAULT 0;
ALTER TABLE attempts ADD COLUMN next_check_at INTEGER;
CREATE INDEX attempts_due_for_check ON attempts(next_check_at)
    WHERE state IN ('pending', 'unknown', 'submitting');

-- A person's decision on an attempt that needed review: kept forever, never edited.
CREATE TABLE reviews (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    decision    TEXT    NOT NULL CHECK (decision IN ('succeeded', 'failed')),
    note        TEXT    NOT NULL CHECK (length(trim(note)) > 0),
    at          INTEGER NOT NULL
);
CREATE INDEX reviews_by_attempt ON reviews(attempt_id);
