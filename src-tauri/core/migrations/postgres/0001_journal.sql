-- paydesk's record on a PostgreSQL server its desks share: the journal's tables with the
-- columns, rules and indexes the SQLite file's migrations (../sqlite) leave them with. The
-- store contract tests run the same operations against both and keep the two equal.
--
-- Times are unix milliseconds (BIGINT), money integer minor units, maps and lists JSON text
-- (checked to parse), as in SQLite, so one set of queries reads both. References sort as
-- SQLite sorts them (by code point: COLLATE "C"), so a prefix is one range of their index.

CREATE TABLE profiles (
    id          BIGINT  GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    gateway     TEXT    NOT NULL,
    base_url    TEXT    NOT NULL,
    settings    TEXT    NOT NULL DEFAULT '{}' CHECK (settings::jsonb IS NOT NULL),
    is_sandbox  BOOLEAN NOT NULL DEFAULT false,
    vault_id    TEXT    NOT NULL UNIQUE,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE orders (
    id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_no        TEXT   COLLATE "C" NOT NULL UNIQUE CHECK (length(order_no) BETWEEN 1 AND 128),
    profile_id      BIGINT NOT NULL REFERENCES profiles(id),
    amount_minor    BIGINT NOT NULL CHECK (amount_minor > 0),
    currency        TEXT   NOT NULL CHECK (length(currency) = 3),
    subject         TEXT   NOT NULL DEFAULT '',
    attributes      TEXT   NOT NULL DEFAULT '{}' CHECK (attributes::jsonb IS NOT NULL),
    created_at      BIGINT NOT NULL,
    -- The order's latest attempt, kept by the triggers below for the orders list's filters.
    latest_state    TEXT,
    latest_channel  TEXT,
    latest_desk     TEXT
);
CREATE INDEX orders_by_profile ON orders(profile_id, created_at);
CREATE INDEX orders_by_amount ON orders(amount_minor, id);
CREATE INDEX orders_by_created ON orders(created_at, id);
CREATE INDEX orders_by_latest_state ON orders(latest_state, created_at);
CREATE INDEX orders_by_latest_channel ON orders(latest_channel, created_at);
CREATE INDEX orders_by_latest_state_channel ON orders(latest_state, latest_channel, created_at);
CREATE INDEX orders_by_latest_desk ON orders(latest_desk, created_at);
-- Text inside order numbers and subjects (the orders list's search, the lookup's last
-- resort), as SQLite's trigram index finds it.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX orders_text_trigrams ON orders USING gin (order_no gin_trgm_ops, subject gin_trgm_ops);

CREATE TABLE attempts (
    id                       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    order_id                 BIGINT NOT NULL REFERENCES orders(id),
    channel                  TEXT   NOT NULL,
    state                    TEXT   NOT NULL CHECK (state IN
                               ('created','submitting','pending','succeeded','failed','unknown','needs_review')),
    idempotency_key          TEXT   COLLATE "C" NOT NULL UNIQUE,
    amount_minor             BIGINT NOT NULL,
    deductions               TEXT   NOT NULL DEFAULT '[]' CHECK (deductions::jsonb IS NOT NULL),
    coupon                   TEXT,
    credit_minor             BIGINT,
    gateway_deduction_minor  BIGINT,
    gateway_ref              TEXT   COLLATE "C",
    pay_url                  TEXT   COLLATE "C",
    error_code               TEXT,
    error_message            TEXT,
    checks                   BIGINT NOT NULL DEFAULT 0,
    next_check_at            BIGINT,
    resends                  BIGINT NOT NULL DEFAULT 0,
    contested                TEXT,
    sender                   TEXT,
    sender_process           TEXT,
    sender_timeout_ms        BIGINT,
    sent_at                  BIGINT,
    -- The reconciler settling it, at which desk, until when (a lease; see sqlite/0016).
    claimed_by               TEXT,
    claimed_desk             TEXT,
    claimed_until            BIGINT,
    desk                     TEXT   NOT NULL DEFAULT '',
    operator                 TEXT   NOT NULL DEFAULT '',
    created_at               BIGINT NOT NULL,
    updated_at               BIGINT NOT NULL
);
-- One live attempt per order, across every desk: the second desk's INSERT waits for the
-- first's transaction and then fails on this index.
CREATE UNIQUE INDEX attempts_one_live_per_order ON attempts(order_id)
    WHERE state IN ('created','submitting','pending','unknown','needs_review','succeeded');
CREATE INDEX attempts_by_order ON attempts(order_id, id);
CREATE INDEX attempts_by_gateway_ref ON attempts(gateway_ref) WHERE gateway_ref IS NOT NULL;
CREATE INDEX attempts_by_pay_url ON attempts(pay_url) WHERE pay_url IS NOT NULL;
CREATE INDEX attempts_due_for_check ON attempts(next_check_at)
    WHERE state IN ('pending', 'unknown', 'submitting');
CREATE INDEX attempts_by_created ON attempts(created_at);
CREATE INDEX attempts_by_state_time ON attempts(state, created_at);
CREATE INDEX attempts_by_channel_time ON attempts(channel, created_at);
CREATE INDEX attempts_by_state_channel_time ON attempts(state, channel, created_at);
CREATE INDEX attempts_contested ON attempts(id) WHERE contested IS NOT NULL;

CREATE TABLE attempt_events (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_id  BIGINT NOT NULL REFERENCES attempts(id),
    state       TEXT   NOT NULL,
    detail      TEXT,
    at          BIGINT NOT NULL,
    desk        TEXT   NOT NULL DEFAULT '',
    operator    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX attempt_events_by_attempt ON attempt_events(attempt_id, id);

CREATE TABLE reviews (
    id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    attempt_id  BIGINT NOT NULL REFERENCES attempts(id),
    decision    TEXT   NOT NULL CHECK (decision IN ('succeeded', 'failed')),
    note        TEXT   NOT NULL CHECK (length(trim(note)) > 0),
    at          BIGINT NOT NULL,
    desk        TEXT   NOT NULL DEFAULT '',
    operator    TEXT   NOT NULL DEFAULT ''
);
CREATE INDEX reviews_by_attempt ON reviews(attempt_id);

-- The database role each attempt, event and decision came through, set by the server (a desk
-- cannot write another role's name): who, beside the desk and operator it names itself.
ALTER TABLE attempts ADD COLUMN db_role TEXT NOT NULL DEFAULT current_user;
ALTER TABLE attempt_events ADD COLUMN db_role TEXT NOT NULL DEFAULT current_user;
ALTER TABLE reviews ADD COLUMN db_role TEXT NOT NULL DEFAULT current_user;
CREATE FUNCTION note_db_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_role := current_user;
    RETURN NEW;
END
$$;
CREATE FUNCTION keep_db_role() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    NEW.db_role := OLD.db_role;
    RETURN NEW;
END
$$;
CREATE TRIGGER attempts_db_role BEFORE INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION note_db_role();
CREATE TRIGGER attempts_keep_db_role BEFORE UPDATE OF db_role ON attempts
    FOR EACH ROW EXECUTE FUNCTION keep_db_role();
CREATE TRIGGER attempt_events_db_role BEFORE INSERT ON attempt_events
    FOR EACH ROW EXECUTE FUNCTION note_db_role();
CREATE TRIGGER reviews_db_role BEFORE INSERT ON reviews
    FOR EACH ROW EXECUTE FUNCTION note_db_role();

-- An order's latest attempt, as SQLite's orders_latest_attempt triggers keep it. (Attempts
-- are never deleted, so there is no trigger for that.)
CREATE FUNCTION orders_note_latest_attempt() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE orders SET latest_state = NEW.state, latest_channel = NEW.channel,
                      latest_desk = NEW.desk
    WHERE id = NEW.order_id
      AND NEW.id = (SELECT max(id) FROM attempts WHERE order_id = NEW.order_id);
    RETURN NULL;
END
$$;
CREATE TRIGGER orders_latest_attempt_insert AFTER INSERT ON attempts
    FOR EACH ROW EXECUTE FUNCTION orders_note_latest_attempt();
CREATE TRIGGER orders_latest_attempt_update AFTER UPDATE OF state, channel ON attempts
    FOR EACH ROW EXECUTE FUNCTION orders_note_latest_attempt();
