//! Where SQLite and PostgreSQL differ for the journal's SQL ([`super::journal`]), and nowhere
//! else: how a write transaction starts, which index a query must walk, how claims skip one
//! another, and whose clock decides.

use sqlx::{Pool, Postgres, Sqlite, Transaction};

/// The PostgreSQL server's clock in unix ms: the time that decides on a shared store.
pub(super) const POSTGRES_NOW_MS: &str =
    "floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint";

/// A reference a lookup finds by part of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Held {
    OrderNo,
    Subject,
    GatewayRef,
    CustomerRef,
}

impl Held {
    fn column(self) -> &'static str {
        match self {
            Held::OrderNo => "order_no",
            Held::Subject => "subject",
            Held::GatewayRef => "gateway_ref",
            Held::CustomerRef => "customer_ref",
        }
    }
}

pub(crate) trait Dialect: sqlx::Database {
    /// What the console's filters read orders from: the orders with their latest attempt's
    /// `latest_state`, `latest_channel` and `latest_desk` (kept on the order in SQLite, in a
    /// narrow row beside it on a server: postgres/0011; "latest" as `latest_attempt_of!`).
    const ORDERS_LISTED: &'static str;

    /// The attempts table as `claim_due` reads it.
    const ATTEMPTS_DUE_FOR_CHECK: &'static str;

    /// How an `UPDATE attempts … FROM v … RETURNING` names the updated attempt's columns:
    /// SQLite's RETURNING sees only the updated table (and refuses `attempts.*`), PostgreSQL's
    /// sees `v` as well.
    const UPDATED_ATTEMPT: &'static str;

    /// What a claim's choice of due attempts adds so that desks claiming at once each take
    /// others rather than wait for one another.
    const SKIP_LOCKED: &'static str;

    /// What a read of a row adds so that other writers of that row wait until this
    /// transaction ends.
    const LOCK_ROW: &'static str;

    /// [`Dialect::LOCK_ROW`] for a read that joins `attempts` with rows of no table.
    const LOCK_ATTEMPTS: &'static str;

    /// A statement, binding an attempt's id, that makes every other transaction issuing a
    /// receipt of that attempt wait until this one ends, without a row lock (PostgreSQL grants
    /// one only to a role that may update the row: a support login may not, yet prints
    /// receipts). `None` where the write transaction already keeps every other writer out.
    const RECEIPT_LOCK: Option<&'static str>;

    /// Now, in unix ms, by the clock that decides: the server's where desks share one (their
    /// own clocks may disagree), this machine's (or a simulation's) otherwise.
    async fn now(pool: &Pool<Self>) -> sqlx::Result<i64>;

    /// What a query's rows become one row of JSON text with, around its columns: an array of
    /// arrays, `[]` when there are none.
    const JSON_ROWS: (&'static str, &'static str);

    /// What one row's columns become one JSON array's text with, around them.
    const JSON_ROW: (&'static str, &'static str);

    /// The orders whose `reference` holds `text` (three characters or more) somewhere, as a
    /// statement that ends in the parameter to bind, and its value: `(order id, reference's
    /// name, its value)` rows, through a trigram index.
    fn holding(reference: Held, text: &str) -> (&'static str, String);

    /// Whether the rows a write transaction inserts take the next free ids in order, so
    /// those above the largest id before are exactly the ones it put in.
    const IDS_IN_INSERT_ORDER: bool;

    /// An INSERT of orders from one JSON text ($1, an array of `[order_no, profile_id,
    /// amount_minor, currency, subject, attributes]`) created at $2, leaving an order number
    /// the store has as it was; where the database reads JSON faster than thousands of bound
    /// parameters.
    const INSERT_ORDERS_FROM_JSON: Option<&'static str>;

    /// A transaction that will write.
    async fn begin_write(pool: &Pool<Self>) -> sqlx::Result<Transaction<'static, Self>>;

    /// [`Dialect::begin_write`] on a connection already held.
    async fn begin_write_on(
        conn: &mut <Self as sqlx::Database>::Connection,
    ) -> sqlx::Result<Transaction<'_, Self>>;

    /// The page cache an import's connection takes while it writes a batch, and the one it
    /// gives back: a batch's orders with their indexes and search index fit in the larger
    /// one (at 500,000 orders, 1.17× sqlite3 doing the same job with the usual 2 MB, 1.06×
    /// with 64 MB).
    const IMPORT_PAGE_CACHE: Option<(&'static str, &'static str)>;
}

impl Dialect for Sqlite {
    const ORDERS_LISTED: &'static str = "orders";
    // Without statistics the planner prefers the state index and sorts every open attempt
    // (35 ms at 20,000 open); the partial index walks the first `limit` alone.
    const ATTEMPTS_DUE_FOR_CHECK: &'static str = "attempts INDEXED BY attempts_due_for_check";
    const UPDATED_ATTEMPT: &'static str = "";
    // A writer holds the whole file: there is nothing to skip.
    const SKIP_LOCKED: &'static str = "";
    const LOCK_ROW: &'static str = "";
    const LOCK_ATTEMPTS: &'static str = "";
    const RECEIPT_LOCK: Option<&'static str> = None;
    // The write lock keeps every other writer out until the transaction ends.
    const IDS_IN_INSERT_ORDER: bool = true;
    // In the array's order, so the ids follow the file's rows.
    const INSERT_ORDERS_FROM_JSON: Option<&'static str> = Some(
        "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes,
                             created_at)
         SELECT value->>0, value->>1, value->>2, value->>3, value->>4, value->>5, $2
         FROM json_each($1) WHERE true ORDER BY key
         ON CONFLICT (order_no) DO NOTHING",
    );
    const JSON_ROWS: (&'static str, &'static str) = ("json_group_array(json_array(", "))");
    const JSON_ROW: (&'static str, &'static str) = ("json_array(", ")");

    fn holding(reference: Held, text: &str) -> (&'static str, String) {
        // The trigram indexes of migrations 0003 (orders) and 0020 (attempts), with the text
        // as one FTS5 phrase in the reference's column.
        let sql = match reference {
            Held::OrderNo => {
                "SELECT o.id, 'order_no', o.order_no FROM order_search s
                 JOIN orders o ON o.id = s.rowid WHERE order_search MATCH "
            }
            Held::Subject => {
                "SELECT o.id, 'subject', o.subject FROM order_search s
                 JOIN orders o ON o.id = s.rowid WHERE order_search MATCH "
            }
            Held::GatewayRef => {
                "SELECT a.order_id, 'gateway_ref', a.gateway_ref FROM attempt_search s
                 JOIN attempts a ON a.id = s.rowid WHERE attempt_search MATCH "
            }
            Held::CustomerRef => {
                "SELECT a.order_id, 'customer_ref', a.customer_ref FROM attempt_search s
                 JOIN attempts a ON a.id = s.rowid WHERE attempt_search MATCH "
            }
        };
        let phrase = format!("\"{}\"", text.replace('"', "\"\""));
        (sql, format!("{} : {phrase}", reference.column()))
    }

    async fn now(_: &Pool<Sqlite>) -> sqlx::Result<i64> {
        Ok(crate::clock::now_ms())
    }

    async fn begin_write(pool: &Pool<Sqlite>) -> sqlx::Result<Transaction<'static, Sqlite>> {
        // IMMEDIATE takes the write lock up front: a deferred transaction that reads and then
        // writes fails with SQLITE_BUSY (no waiting) when another writer got in between.
        pool.begin_with("BEGIN IMMEDIATE").await
    }

    async fn begin_write_on(
        conn: &mut sqlx::SqliteConnection,
    ) -> sqlx::Result<Transaction<'_, Sqlite>> {
        sqlx::Connection::begin_with(conn, "BEGIN IMMEDIATE").await
    }

    const IMPORT_PAGE_CACHE: Option<(&'static str, &'static str)> = Some((
        "PRAGMA cache_size = -65536",
        // SQLite's default.
        "PRAGMA cache_size = -2000",
    ));
}

impl Dialect for Postgres {
    const ORDERS_LISTED: &'static str = "orders_listed";
    const ATTEMPTS_DUE_FOR_CHECK: &'static str = "attempts";
    const UPDATED_ATTEMPT: &'static str = "attempts.";
    const SKIP_LOCKED: &'static str = "FOR UPDATE SKIP LOCKED";
    // Statements after the lock read what committed before it was granted (READ COMMITTED).
    const LOCK_ROW: &'static str = "FOR UPDATE";
    const LOCK_ATTEMPTS: &'static str = "FOR UPDATE OF attempts";
    // A transaction's advisory lock, keyed by the attempt's id hashed with what it is for.
    const RECEIPT_LOCK: Option<&'static str> =
        Some("SELECT pg_advisory_xact_lock(hashtextextended('paydesk receipts', $1))");
    // Other desks' inserts draw from the same sequence meanwhile.
    const IDS_IN_INSERT_ORDER: bool = false;
    const INSERT_ORDERS_FROM_JSON: Option<&'static str> = None;
    const JSON_ROWS: (&'static str, &'static str) =
        ("coalesce(json_agg(json_build_array(", "))::text, '[]')");
    const JSON_ROW: (&'static str, &'static str) = ("json_build_array(", ")::text");

    fn holding(reference: Held, text: &str) -> (&'static str, String) {
        // pg_trgm's indexes of orders (0001) and attempts (0005) answer ILIKE.
        let sql = match reference {
            Held::OrderNo => "SELECT id, 'order_no', order_no FROM orders WHERE order_no ILIKE ",
            Held::Subject => "SELECT id, 'subject', subject FROM orders WHERE subject ILIKE ",
            Held::GatewayRef => {
                "SELECT order_id, 'gateway_ref', gateway_ref FROM attempts WHERE gateway_ref ILIKE "
            }
            Held::CustomerRef => {
                "SELECT order_id, 'customer_ref', customer_ref FROM attempts
                 WHERE customer_ref ILIKE "
            }
        };
        (sql, super::like_pattern(text))
    }

    async fn now(pool: &Pool<Postgres>) -> sqlx::Result<i64> {
        sqlx::query_scalar(&format!("SELECT {POSTGRES_NOW_MS}"))
            .fetch_one(pool)
            .await
    }

    async fn begin_write(pool: &Pool<Postgres>) -> sqlx::Result<Transaction<'static, Postgres>> {
        // READ COMMITTED: every guarded UPDATE re-reads the row it waited for, so the state a
        // write was checked against is the state it commits over.
        pool.begin().await
    }

    async fn begin_write_on(
        conn: &mut sqlx::PgConnection,
    ) -> sqlx::Result<Transaction<'_, Postgres>> {
        sqlx::Connection::begin(conn).await
    }

    // The server's own.
    const IMPORT_PAGE_CACHE: Option<(&'static str, &'static str)> = None;
}
