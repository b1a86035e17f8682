-- Shifts (交班): one open shift per desk at a time, opened and closed by an operator; a
-- payment belongs to the shift open at its desk when it was started. `acknowledged` is the
-- attempts still open at the close that the closing operator acknowledged, as a JSON array of
-- ids.
CREATE TABLE shifts (
    id            INTEGER PRIMARY KEY,
    desk          TEXT    NOT NULL,
    opened_at     INTEGER NOT NULL,
    opened_by     TEXT    NOT NULL,
    closed_at     INTEGER,
    closed_by     TEXT,
    acknowledged  TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(acknowledged)),
    CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CREATE UNIQUE INDEX one_open_shift_per_desk ON shifts (desk) WHERE closed_at IS NULL;
CREATE INDEX shifts_by_opening ON shifts (opened_at);
ALTER TABLE attempts ADD COLUMN shift_id INTEGER REFERENCES shifts(id);
CREATE INDEX attempts_by_shift ON attempts (shift_id) WHERE shift_id IS NOT NULL;
