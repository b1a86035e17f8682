-- Every index on attempts is written when a payment is journaled and again when its answer is
-- recorded (the state and updated_at change), inside the durable commits that a payment waits
-- for. These three serve no query any more:
--   attempts_by_state (state, updated_at): nothing orders by updated_at; counts and lookups by
--     state use attempts_by_state_time (state, created_at).
--   attempts_submitting (state = 'submitting'): orphan detection reads the same rows through
--     attempts_by_state_time.
--   attempts_by_channel (channel, order_id): the console filters on orders.latest_channel
--     (migration 0006); the history on attempts_by_channel_time.
DROP INDEX attempts_by_state;
DROP INDEX attempts_submitting;
DROP INDEX attempts_by_channel;
