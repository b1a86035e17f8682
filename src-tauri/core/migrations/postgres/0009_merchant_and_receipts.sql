-- The merchant (crate::merchant): one row, its name and address for receipts and the time
-- zone its days follow (NULL: each desk's system zone).
CREATE TABLE merchant (
    id         INTEGER PRIMARY KEY CHECK (id = 1),
    name       TEXT    NOT NULL DEFAULT '',
    address    TEXT    NOT NULL DEFAULT '',
    time_zone  TEXT
);
INSERT INTO merchant (id) VALUES (1);

-- Receipts issued for a paid attempt: the first is the original, every later one a copy.
CREATE TABLE receipts (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_id  BIGINT NOT NULL REFERENCES attempts(id),
    issued_at   BIGINT NOT NULL,
    desk        TEXT   NOT NULL,
    operator    TEXT   NOT NULL
);
CREATE INDEX receipts_by_attempt ON receipts (attempt_id);

-- Every login that reads orders reads the merchant and prints receipts (a support agent hands
-- a customer a copy too); desks, which write attempts, change the merchant's settings.
DO $$
DECLARE
    role_name record;
BEGIN
    FOR role_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'orders'
          AND privilege_type = 'SELECT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT SELECT ON merchant TO %I', role_name.grantee);
        EXECUTE format('GRANT SELECT, INSERT ON receipts TO %I', role_name.grantee);
    END LOOP;
    FOR role_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'attempts'
          AND privilege_type = 'INSERT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT UPDATE ON merchant TO %I', role_name.grantee);
    END LOOP;
END
$$;
