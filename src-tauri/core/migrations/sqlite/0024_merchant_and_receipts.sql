-- The merchant (crate::merchant): one row, its name and address for receipts and the time
-- zone its days follow (NULL: each desk's system zone).
CREATE TABLE merchant (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    time_zone  TEXT
);
INSERT INTO merchant (id) VALUES (1);

-- Receipts issued for a paid attempt: the first is the original, every later one a copy.
CREATE TABLE receipts (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    issued_at   INTEGER NOT NULL,
    desk        TEXT    NOT NULL,
    operator    TEXT    NOT NULL
);
CREATE INDEX receipts_by_attempt ON receipts (attempt_id);
