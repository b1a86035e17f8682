-- The console's searches: a trigram index over order numbers and subjects, so that typing
-- any three characters finds an order among a million without scanning them all, and
-- indexes for the lookups by reference and the sortable columns.
CREATE VIRTUAL TABLE order_search USING fts5(
    order_no, subject,
    content = 'orders', content_rowid = 'id',
    tokenize = 'trigram'
);
INSERT INTO order_search(order_search) VALUES ('rebuild');

CREATE TRIGGER order_search_insert AFTER INSERT ON orders BEGIN
    INSERT INTO order_search(rowid, order_no, subject) VALUES (new.id, new.order_no, new.subject);
END;
CREATE TRIGGER order_search_delete AFTER DELETE ON orders BEGIN
    INSERT INTO order_search(order_search, rowid, order_no, subject)
        VALUES ('delete', old.id, old.order_no, old.subject);
END;
CREATE TRIGGER order_search_update AFTER UPDATE OF order_no, subject ON orders BEGIN
    INSERT INTO order_search(order_search, rowid, order_no, subject)
        VALUES ('delete', old.id, old.order_no, old.subject);
    INSERT INTO order_search(rowid, order_no, subject) VALUES (new.id, new.order_no, new.subject);
END;

CREATE INDEX orders_by_amount ON orders(amount_minor, id);
CREATE INDEX orders_by_created ON orders(created_at, id);
CREATE INDEX attempts_by_pay_url ON attempts(pay_url) WHERE pay_url IS NOT NULL;
CREATE INDEX attempts_by_created ON attempts(created_at);
CREATE INDEX attempts_by_channel ON attempts(channel, order_id);
