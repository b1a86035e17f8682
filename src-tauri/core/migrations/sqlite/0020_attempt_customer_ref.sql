-- The reference the customer's payment app shows (益安's transaction_no, the partner's
-- third_order_no), which customers quote to support.
ALTER TABLE attempts ADD COLUMN customer_ref TEXT;
CREATE INDEX attempts_by_customer_ref ON attempts(customer_ref) WHERE customer_ref IS NOT NULL;

-- Part of a gateway's reference or of the customer's (six characters or more) found among a
-- million attempts: a trigram index of the two. Written only when a gateway's answer sets or
-- changes one of them, never by the journal entry made before a payment is sent.
CREATE VIRTUAL TABLE attempt_search USING fts5(
    gateway_ref, customer_ref,
    content = 'attempts', content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO attempt_search(rowid, gateway_ref, customer_ref)
    SELECT id, gateway_ref, customer_ref FROM attempts
    WHERE gateway_ref IS NOT NULL OR customer_ref IS NOT NULL;

CREATE TRIGGER attempt_search_insert AFTER INSERT ON attempts
WHEN new.gateway_ref IS NOT NULL OR new.customer_ref IS NOT NULL BEGIN
    INSERT INTO attempt_search(rowid, gateway_ref, customer_ref)
        VALUES (new.id, new.gateway_ref, new.customer_ref);
END;
CREATE TRIGGER attempt_search_delete AFTER DELETE ON attempts
WHEN old.gateway_ref IS NOT NULL OR old.customer_ref IS NOT NULL BEGIN
    INSERT INTO attempt_search(attempt_search, rowid, gateway_ref, customer_ref)
        VALUES ('delete', old.id, old.gateway_ref, old.customer_ref);
END;
-- Every status check rewrites the columns with what they were: only a real change reindexes.
CREATE TRIGGER attempt_search_update AFTER UPDATE OF gateway_ref, customer_ref ON attempts
WHEN old.gateway_ref IS NOT new.gateway_ref OR old.customer_ref IS NOT new.customer_ref BEGIN
    INSERT INTO attempt_search(attempt_search, rowid, gateway_ref, customer_ref)
        SELECT 'delete', old.id, old.gateway_ref, old.customer_ref
        WHERE old.gateway_ref IS NOT NULL OR old.customer_ref IS NOT NULL;
    INSERT INTO attempt_search(rowid, gateway_ref, customer_ref)
        SELECT new.id, new.gateway_ref, new.customer_ref
        WHERE new.gateway_ref IS NOT NULL OR new.customer_ref IS NOT NULL;
END;
