-- An order's latest attempt is the one that holds it (paid or under way; the one-live-attempt
-- index allows one) when there is one, else its newest: `store::latest_attempt_of!`, which every
-- read uses. By the newest id alone, a failed attempt moved in from a desk's own history after
-- another desk paid the order showed the paid order as failed.

DROP TRIGGER orders_latest_attempt_insert;
CREATE TRIGGER orders_latest_attempt_insert AFTER INSERT ON attempts BEGIN
    UPDATE orders SET latest_state = new.state, latest_channel = new.channel,
                      latest_desk = new.desk
    WHERE id = new.order_id
      AND new.id = COALESCE(
          (SELECT max(id) FROM attempts WHERE order_id = new.order_id
             AND state IN ('created','submitting','pending','unknown','needs_review','succeeded')),
          (SELECT max(id) FROM attempts WHERE order_id = new.order_id));
END;

-- A change of state can move the order's latest attempt to another one (the one holding it
-- fails, and a newer failed one is its newest), so the order is written whenever what it
-- keeps differs from its latest attempt's.
DROP TRIGGER orders_latest_attempt_update;
CREATE TRIGGER orders_latest_attempt_update AFTER UPDATE OF state, channel ON attempts BEGIN
    UPDATE orders SET (latest_state, latest_channel, latest_desk) =
        (SELECT state, channel, desk FROM attempts WHERE id = COALESCE(
            (SELECT max(id) FROM attempts WHERE order_id = new.order_id
               AND state IN ('created','submitting','pending','unknown','needs_review','succeeded')),
            (SELECT max(id) FROM attempts WHERE order_id = new.order_id)))
    WHERE id = new.order_id
      AND (latest_state, latest_channel, latest_desk) IS NOT
        (SELECT state, channel, desk FROM attempts WHERE id = COALESCE(
            (SELECT max(id) FROM attempts WHERE order_id = new.order_id
               AND state IN ('created','submitting','pending','unknown','needs_review','succeeded')),
            (SELECT max(id) FROM attempts WHERE order_id = new.order_id)));
END;

DROP TRIGGER orders_latest_attempt_delete;
CREATE TRIGGER orders_latest_attempt_delete AFTER DELETE ON attempts BEGIN
    UPDATE orders SET (latest_state, latest_channel, latest_desk) =
        (SELECT state, channel, desk FROM attempts WHERE id = COALESCE(
            (SELECT max(id) FROM attempts WHERE order_id = old.order_id
               AND state IN ('created','submitting','pending','unknown','needs_review','succeeded')),
            (SELECT max(id) FROM attempts WHERE order_id = old.order_id)))
    WHERE id = old.order_id;
END;

-- Orders whose holding attempt is not their newest: kept from the newest until now.
UPDATE orders SET (latest_state, latest_channel, latest_desk) =
    (SELECT h.state, h.channel, h.desk FROM attempts h
     WHERE h.order_id = orders.id
       AND h.state IN ('created','submitting','pending','unknown','needs_review','succeeded')
     ORDER BY h.id DESC LIMIT 1)
WHERE id IN (
    SELECT a.order_id FROM attempts a
    WHERE a.state IN ('created','submitting','pending','unknown','needs_review','succeeded')
      AND a.id < (SELECT max(id) FROM attempts WHERE order_id = a.order_id));
