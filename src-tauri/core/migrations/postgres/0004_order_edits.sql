-- An unpaid order can be edited and cancelled. `revision` counts its edits: a payment is
-- journaled only against the revision it was priced from. A cancelled order stays, never
-- payable again. `changes` is the order's own story (each edit and the cancellation, with
-- who and when), oldest first, as a JSON array.
ALTER TABLE orders ADD COLUMN revision BIGINT NOT NULL DEFAULT 0;
ALTER TABLE orders ADD COLUMN cancelled_at BIGINT;
ALTER TABLE orders ADD COLUMN cancel_note TEXT;
ALTER TABLE orders ADD COLUMN changes TEXT NOT NULL DEFAULT '[]' CHECK (changes::jsonb IS NOT NULL);
