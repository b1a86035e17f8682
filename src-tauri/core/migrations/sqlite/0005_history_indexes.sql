-- The history's filters, newest first, each served by an index prefix: by state, by channel,
-- by both, with a time range, without sorting the matches.
CREATE INDEX attempts_by_state_time ON attempts(state, created_at);
CREATE INDEX attempts_by_channel_time ON attempts(channel, created_at);
CREATE INDEX attempts_by_state_channel_time ON attempts(state, channel, created_at);
CREATE INDEX attempts_by_idempotency_key ON attempts(idempotency_key);
