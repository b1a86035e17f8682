-- The reference the customer's payment app shows (益安's transaction_no, the partner's
-- third_order_no), which customers quote to support.
ALTER TABLE attempts ADD COLUMN customer_ref TEXT COLLATE "C";
CREATE INDEX attempts_by_customer_ref ON attempts(customer_ref) WHERE customer_ref IS NOT NULL;

-- Part of a gateway's reference or of the customer's (six characters or more), as SQLite's
-- trigram index finds it.
CREATE INDEX attempts_refs_trigrams ON attempts
    USING gin (gateway_ref gin_trgm_ops, customer_ref gin_trgm_ops);
