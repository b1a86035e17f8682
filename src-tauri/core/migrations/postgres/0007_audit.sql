-- The audit trail: who did what, when (crate::audit). Append-only, by the database itself: no
-- role may change or remove an entry (the owner included), and a desk's role is granted INSERT
-- only (README).
CREATE TABLE audit (
    id        BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at        BIGINT NOT NULL,
    desk      TEXT   NOT NULL,
    operator  TEXT   NOT NULL,
    action    TEXT   NOT NULL,
    subject   TEXT   NOT NULL,
    detail    TEXT   NOT NULL DEFAULT '{}' CHECK (detail::jsonb IS NOT NULL),
    db_role   TEXT   NOT NULL DEFAULT current_user
);
CREATE INDEX audit_by_time ON audit (at, id);
CREATE INDEX audit_by_subject ON audit (subject, at);

CREATE FUNCTION audit_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit trail is append-only';
END
$$;

CREATE TRIGGER audit_is_append_only BEFORE UPDATE OR DELETE ON audit
    FOR EACH ROW EXECUTE FUNCTION audit_is_append_only();
CREATE TRIGGER audit_is_never_emptied BEFORE TRUNCATE ON audit
    FOR EACH STATEMENT EXECUTE FUNCTION audit_is_append_only();

-- The role each entry came through, set by the server: a desk cannot write another's name.
CREATE TRIGGER audit_db_role BEFORE INSERT ON audit
    FOR EACH ROW EXECUTE FUNCTION note_db_role();

-- Roles that read the history may add to its trail (a support login records the personal data
-- it was shown; a desk, everything it does); none may change it. Granted here too, so desks
-- that were granted their rights before this table existed keep working after the upgrade.
DO $$
DECLARE
    reader record;
BEGIN
    FOR reader IN
        SELECT DISTINCT grantee FROM information_schema.role_table_grants
        WHERE table_schema = current_schema() AND table_name = 'orders'
          AND privilege_type = 'SELECT' AND grantee <> current_user
    LOOP
        EXECUTE format('GRANT SELECT, INSERT ON audit TO %I', reader.grantee);
    END LOOP;
END
$$;
