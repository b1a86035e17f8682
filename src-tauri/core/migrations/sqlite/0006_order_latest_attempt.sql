-- The state and channel of each order's latest attempt, kept on the order by triggers, so that
-- the console's filters by state and channel (with a date range, newest first) read an index of
-- orders instead of finding the latest attempt of every order among a million. NULL: never paid.
ALTER TABLE orders ADD COLUMN latest_state TEXT;
ALTER TABLE orders ADD COLUMN latest_channel TEXT;

UPDATE orders SET latest_state = l.state, latest_channel = l.channel
FROM (SELECT a.order_id, a.state, a.channel FROM attempts a
      WHERE a.id = (SELECT max(id) FROM attempts WHERE order_id = a.order_id)) AS l
WHERE l.order_id = orders.id;

-- A new attempt is its order's latest; a change of state (or channel) matters when it happens
-- to the latest one.
CREATE TRIGGER orders_latest_attempt_insert AFTER INSERT ON attempts BEGIN
    UPDATE orders SET latest_state = new.state, latest_channel = new.channel
    WHERE id = new.order_id
      AND new.id = (SELECT max(id) FROM attempts WHERE order_id = new.order_id);
END;
CREATE TRIGGER orders_latest_attempt_update AFTER UPDATE OF state, channel ON attempts BEGIN
    UPDATE orders SET latest_state = new.state, latest_channel = new.channel
    WHERE id = new.order_id
      AND new.id = (SELECT max(id) FROM attempts WHERE order_id = new.order_id);
END;
CREATE TRIGGER orders_latest_attempt_delete AFTER DELETE ON attempts BEGIN
    UPDATE orders SET
        latest_state = (SELECT state FROM attempts WHERE order_id = old.order_id ORDER BY id DESC LIMIT 1),
        latest_channel = (SELECT channel FROM attempts WHERE order_id = old.order_id ORDER BY id DESC LIMIT 1)
    WHERE id = old.order_id;
END;

-- Each filter, alone or together, with the date range, served by an index prefix.
CREATE INDEX orders_by_latest_state ON orders(latest_state, created_at);
CREATE INDEX orders_by_latest_channel ON orders(latest_channel, created_at);
CREATE INDEX orders_by_latest_state_channel ON orders(latest_state, latest_channel, created_at);
