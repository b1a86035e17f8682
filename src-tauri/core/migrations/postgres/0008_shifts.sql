-- Shifts (交班): one open shift per desk at a time, opened and closed by an operator; a
-- payment belongs to the shift open at its desk when it was started. `acknowledged` is the
-- attempts still open at the close that the closing operator acknowledged, as a JSON array of
-- ids.
CREATE TABLE shifts (
    id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    desk          TEXT   NOT NULL,
    opened_at     BIGINT NOT NULL,
    opened_by     TEXT   NOT NULL,
    closed_at     BIGINT,
    closed_by     TEXT,
    acknowledged  TEXT   NOT NULL DEFAULT '[]' CHECK (acknowledged::jsonb IS NOT NULL),
    CHECK ((closed_at IS NULL) = (closed_by IS NULL))
);
CREATE UNIQUE INDEX one_open_shift_per_desk ON shifts (desk) WHERE closed_at IS NULL;
CREATE INDEX shifts_by_opening ON shifts (opened_at);
ALTER TABLE attempts ADD COLUMN shift_id BIGINT REFERENCES shifts(id);
CREATE INDEX attempts_by_shift ON attempts (shift_id) WHERE shift_id IS NOT NULL;

-- Desks open and close their shifts; support logins read them. Carried to the roles that
-- already write attempts, as the audit trail's grants are.
DO $$
DECLARE
    role_name record;
BEGIN
    FOR role_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'orders'
          AND privilege_type = 'SELECT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT SELECT ON shifts TO %I', role_name.grantee);
    END LOOP;
    FOR role_name IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'attempts'
          AND privilege_type = 'INSERT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT INSERT, UPDATE ON shifts TO %I', role_name.grantee);
    END LOOP;
END
$$;
