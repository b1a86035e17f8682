-- Gateway profiles: where a gateway lives and its non-secret settings.
-- Secrets are never here: they live in the OS keyring under vault_id.
CREATE TABLE profiles (
    id          INTEGER PRIMARY KEY,
    name        TEXT    NOT NULL UNIQUE CHECK (length(name) BETWEEN 1 AND 64),
    gateway     TEXT    NOT NULL,
    base_url    TEXT    NOT NULL,
    settings    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(settings)),
    is_sandbox  INTEGER NOT NULL DEFAULT 0 CHECK (is_sandbox IN (0, 1)),
    vault_id    TEXT    NOT NULL UNIQUE,
    created_at  INTEGER NOT NULL
);

CREATE TABLE orders (
    id            INTEGER PRIMARY KEY,
    order_no      TEXT    NOT NULL UNIQUE CHECK (length(order_no) BETWEEN 1 AND 128),
    profile_id    INTEGER NOT NULL REFERENCES profiles(id),
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    currency      TEXT    NOT NULL CHECK (length(currency) = 3),
    subject       TEXT    NOT NULL DEFAULT '',
    attributes    TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(attributes)),
    created_at    INTEGER NOT NULL
);
CREATE INDEX orders_by_profile ON orders(profile_id, created_at);

-- One try to pay an order. The row is committed before the request leaves.
CREATE TABLE attempts (
    id               INTEGER PRIMARY KEY,
    order_id         INTEGER NOT NULL REFERENCES orders(id),
    channel          TEXT    NOT NULL,
    state            TEXT    NOT NULL CHECK (state IN
                       ('created','submitting','pending','succeeded','failed','unknown','needs_review')),
    idempotency_key  TEXT    NOT NULL UNIQUE,
    amount_minor     INTEGER NOT NULL,
    deductions       TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(deductions)),
    gateway_ref      TEXT,
    pay_url          TEXT,
    error_code       TEXT,
    error_message    TEXT,
    created_at       INTEGER NOT NULL,
    updated_at       INTEGER NOT NULL
);
-- The database, not the UI, guarantees one live (or paid) attempt per order: a second
-- window, process or double click cannot start another.
CREATE UNIQUE INDEX attempts_one_live_per_order ON attempts(order_id)
    WHERE state IN ('created','submitting','pending','unknown','needs_review','succeeded');
CREATE INDEX attempts_by_order ON attempts(order_id, id);
CREATE INDEX attempts_by_gateway_ref ON attempts(gateway_ref) WHERE gateway_ref IS NOT NULL;
CREATE INDEX attempts_by_state ON attempts(state, updated_at);

-- Every state change of an attempt: an order's timeline is a query.
CREATE TABLE attempt_events (
    id          INTEGER PRIMARY KEY,
    attempt_id  INTEGER NOT NULL REFERENCES attempts(id),
    state       TEXT    NOT NULL,
    detail      TEXT,
    at          INTEGER NOT NULL
);
CREATE INDEX attempt_events_by_attempt ON attempt_events(attempt_id, id);
