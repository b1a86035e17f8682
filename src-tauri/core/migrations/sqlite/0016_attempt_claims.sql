-- Who is settling an open attempt (asking its gateway, resending it), at which desk, and
-- until when: a reconciler claims attempts before it works on them, so that no two of them
-- (another window, the command line, another desk) check or resend one at once. A claim is a
-- lease: a reconciler that dies leaves it to run out.
ALTER TABLE attempts ADD COLUMN claimed_by TEXT;
ALTER TABLE attempts ADD COLUMN claimed_desk TEXT;
ALTER TABLE attempts ADD COLUMN claimed_until INTEGER;
