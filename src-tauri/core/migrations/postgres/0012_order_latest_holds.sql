-- An order's latest attempt is the one that holds it (paid or under way; the one-live-attempt
-- index allows one) when there is one, else its newest: `store::latest_attempt_of!`, which every
-- read uses, as the SQLite file's triggers (its migration 0025). By the newest id alone, a
-- failed attempt moved in from a desk's own history after another desk paid the order showed
-- the paid order as failed.

-- No attempt may change between the fix below and the function taking over.
LOCK TABLE order_latest, attempts IN SHARE ROW EXCLUSIVE MODE;

-- A change of state can move the order's latest attempt to another one (the one holding it
-- fails, and a newer failed one is its newest), so the narrow row is written whenever it
-- differs from the order's latest attempt, and only then.
CREATE OR REPLACE FUNCTION orders_note_latest_attempt() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE order_latest l SET state = a.state, channel = a.channel, desk = a.desk
    FROM attempts a
    WHERE l.order_id = NEW.order_id
      AND a.id = COALESCE(
          (SELECT max(id) FROM attempts WHERE order_id = NEW.order_id
             AND state IN ('created','submitting','pending','unknown','needs_review','succeeded')),
          (SELECT max(id) FROM attempts WHERE order_id = NEW.order_id))
      AND (l.state, l.channel, l.desk) IS DISTINCT FROM (a.state, a.channel, a.desk);
    RETURN NULL;
END
$$;

-- Orders whose holding attempt is not their newest: kept from the newest until now.
UPDATE order_latest l SET state = h.state, channel = h.channel, desk = h.desk
FROM attempts h
WHERE h.order_id = l.order_id
  AND h.state IN ('created','submitting','pending','unknown','needs_review','succeeded')
  AND h.id < (SELECT max(id) FROM attempts WHERE order_id = h.order_id);
