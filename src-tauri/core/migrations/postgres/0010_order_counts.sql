-- The number of orders, kept by triggers, so that the console's unfiltered count sums a few
-- rows instead of counting every order (about 35 ms at a million, on every first page), as the
-- SQLite file's order_count does (sqlite/0009). Desks add orders at once: one counter row
-- would queue every desk's order behind the others' transactions, so the count is spread over
-- 16 rows, each statement adding to the row its server process picks (pg_backend_pid() % 16).
-- The count is their sum: exact in every snapshot, since each row moves in the transaction
-- that adds or removes the orders.
CREATE TABLE order_counts (
    shard   SMALLINT PRIMARY KEY CHECK (shard BETWEEN 0 AND 15),
    orders  BIGINT   NOT NULL
);

-- No order may be added or removed between the count below and the triggers taking over.
LOCK TABLE orders IN SHARE ROW EXCLUSIVE MODE;
INSERT INTO order_counts (shard, orders) SELECT shard, 0 FROM generate_series(0, 15) AS shard;
UPDATE order_counts SET orders = (SELECT count(*) FROM orders) WHERE shard = 0;

-- Owner's rights (SECURITY DEFINER): a desk's role adds orders without being granted any
-- write on the counters, so no role can set them to anything but the count.
CREATE FUNCTION order_counts_add() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE order_counts SET orders = orders + (SELECT count(*) FROM added)
    WHERE shard = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;
CREATE FUNCTION order_counts_remove() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE order_counts SET orders = orders - (SELECT count(*) FROM removed)
    WHERE shard = pg_backend_pid() % 16;
    RETURN NULL;
END
$$;
CREATE FUNCTION order_counts_empty() RETURNS trigger LANGUAGE plpgsql
    SECURITY DEFINER SET search_path FROM CURRENT AS $$
BEGIN
    UPDATE order_counts SET orders = 0;
    RETURN NULL;
END
$$;
-- Once per statement: an import's thousand-row INSERT moves a counter once.
CREATE TRIGGER order_counts_insert AFTER INSERT ON orders
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION order_counts_add();
CREATE TRIGGER order_counts_delete AFTER DELETE ON orders
    REFERENCING OLD TABLE AS removed FOR EACH STATEMENT EXECUTE FUNCTION order_counts_remove();
CREATE TRIGGER order_counts_truncate AFTER TRUNCATE ON orders
    FOR EACH STATEMENT EXECUTE FUNCTION order_counts_empty();

-- Roles that read the orders read their count (granted here too, for desks and support logins
-- granted their rights before this table existed).
DO $$
DECLARE
    reader record;
BEGIN
    FOR reader IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'orders'
          AND privilege_type = 'SELECT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT SELECT ON order_counts TO %I', reader.grantee);
    END LOOP;
END
$$;
