-- The desk that took each order's latest attempt, kept on the order like its state and channel
-- (0006), so the orders list filters by desk through an index of orders. A desk is recorded
-- when an attempt is started and never changes, so only a new or deleted attempt moves it.
ALTER TABLE orders ADD COLUMN latest_desk TEXT;

UPDATE orders SET latest_desk = (
    SELECT desk FROM attempts WHERE order_id = orders.id ORDER BY id DESC LIMIT 1
);

DROP TRIGGER orders_latest_attempt_insert;
CREATE TRIGGER orders_latest_attempt_insert AFTER INSERT ON attempts BEGIN
    UPDATE orders SET latest_state = new.state, latest_channel = new.channel,
                      latest_desk = new.desk
    WHERE id = new.order_id
      AND new.id = (SELECT max(id) FROM attempts WHERE order_id = new.order_id);
END;
DROP TRIGGER orders_latest_attempt_delete;
CREATE TRIGGER orders_latest_attempt_delete AFTER DELETE ON attempts BEGIN
    UPDATE orders SET
        latest_state = (SELECT state FROM attempts WHERE order_id = old.order_id ORDER BY id DESC LIMIT 1),
        latest_channel = (SELECT channel FROM attempts WHERE order_id = old.order_id ORDER BY id DESC LIMIT 1),
        latest_desk = (SELECT desk FROM attempts WHERE order_id = old.order_id ORDER BY id DESC LIMIT 1)
    WHERE id = old.order_id;
END;

CREATE INDEX orders_by_latest_desk ON orders(latest_desk, created_at);
