//! A shared desk's copy of the history in its own SQLite file (`shared-cache.sqlite`, the
//! standalone schema with the shared store's ids), so lookups keep working while the server
//! is out of reach. A keeper task copies what the desk's change feed names (its own writes and
//! the other desks', orders whole with their attempts, events and reviews) and, every
//! [`SYNC_EVERY`] and after each reconnect, everything that changed on the server since the
//! last copy within the window ([`DEFAULT_WINDOW_DAYS`]). Each catch-up also lets go of what
//! has left the window: orders with nothing new in it, unless the desk paid or looked them up
//! within it or an attempt on them is still open. The copy is read through a read-only pool:
//! nothing can be journaled, reconciled or sent from it.

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use sqlx::postgres::PgPool;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};
use sqlx::{QueryBuilder, Sqlite};

use super::dialect::POSTGRES_NOW_MS;
use super::link::Link;
use super::rows::{
    push_attempt_columns, AttemptRow, EventRow, OrderRow, ProfileRow, ReviewRow, ATTEMPT_COLUMNS,
    ORDER_CHANGE_COLUMNS,
};
use super::{Result, Store, StoreError};
use crate::changes::{Change, Changes, Gathered};

/// How far back the copy reaches unless the desk says otherwise.
pub const DEFAULT_WINDOW_DAYS: i64 = 90;

/// How often the keeper catches up with changes no notice named (one sent while it was cut
/// off, a notice lost).
const SYNC_EVERY: Duration = Duration::from_secs(30);

/// How long the keeper gathers the changes named after one before it copies them all
/// ([`Changes::gather`]): a payment's two notices become one copy, made after the payment.
const GATHER: Duration = Duration::from_millis(25);

/// How far before the last copy began a catch-up looks again: a change committed after that
/// copy read may carry an earlier time (its transaction began first).
const MARGIN_MS: i64 = 5 * 60_000;

/// Orders copied per transaction.
const ORDERS_PER_COPY: usize = 500;

/// Rows per INSERT into the copy.
const ROWS_PER_INSERT: usize = 500;

/// Which server the copy was taken from, and until when it is complete.
const CACHE_OF: &str = "cache_of";
const SYNCED_TO: &str = "synced_to";
/// Whether the login that took the copy may only read ("1"): a desk opening offline is as
/// read-only as it was when it last reached its server, not a desk that seems to write.
const READ_ONLY: &str = "read_only";

const DAY_MS: i64 = 24 * 60 * 60 * 1000;

/// The desk's copy of the shared history.
pub(super) struct Cache {
    /// The keeper's: the only one that writes.
    writer: SqlitePool,
    /// What the desk reads while offline.
    pub(super) reader: SqlitePool,
    keeper: std::sync::Mutex<Option<tokio::task::JoinHandle<()>>>,
}

impl Drop for Cache {
    fn drop(&mut self) {
        if let Some(keeper) = self.keeper.lock().unwrap_or_else(|e| e.into_inner()).take() {
            keeper.abort();
        }
    }
}

impl Cache {
    /// Opens the copy at `path` for the server named `server` (emptied first if it was taken
    /// from another), with how far it is complete put on `link`.
    pub(super) async fn open(path: &Path, server: &str, link: &Link) -> Result<Cache> {
        let writer = Store::open(path).await?.local;
        // The copy's own bookkeeping, never part of a desk's standalone history.
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS kept_orders (
                 order_id INTEGER PRIMARY KEY,
                 kept_at  INTEGER NOT NULL
             )",
        )
        .execute(&writer)
        .await?;
        let of: Option<String> = setting(&writer, CACHE_OF).await?;
        if of.as_deref() != Some(server) {
            let mut tx = writer.begin_with("BEGIN IMMEDIATE").await?;
            for table in [
                "kept_orders",
                "reviews",
                "attempt_events",
                "attempts",
                "orders",
                "profiles",
            ] {
                sqlx::query(&format!("DELETE FROM {table}"))
                    .execute(&mut *tx)
                    .await?;
            }
            sqlx::query("DELETE FROM desk_settings WHERE key IN ($1, $2)")
                .bind(SYNCED_TO)
                .bind(READ_ONLY)
                .execute(&mut *tx)
                .await?;
            // Another server's merchant is not this one's.
            sqlx::query(
                "UPDATE merchant SET name = '', address = '', time_zone = NULL WHERE id = 1",
            )
            .execute(&mut *tx)
            .await?;
            save_setting(&mut tx, CACHE_OF, server).await?;
            tx.commit().await?;
        }
        if let Some(synced) = setting(&writer, SYNCED_TO).await? {
            link.set_as_of(synced.parse().unwrap_or(0));
        }
        if !link.is_reachable() && setting(&writer, READ_ONLY).await?.as_deref() == Some("1") {
            link.set_read_only(true);
        }
        let options = SqliteConnectOptions::from_str("sqlite:")
            .expect("static URL")
            .filename(path)
            .read_only(true)
            .busy_timeout(Duration::from_secs(10));
        let reader = SqlitePoolOptions::new()
            .max_connections(4)
            .test_before_acquire(false)
            .connect_with(options)
            .await
            .map_err(|source| StoreError::Open {
                path: path.to_path_buf(),
                source,
            })?;
        Ok(Cache {
            writer,
            reader,
            keeper: Default::default(),
        })
    }

    /// Keeps the copy up to date from `shared` while `link` says it is reachable, taking what
    /// to copy from `changes`.
    pub(super) fn keep(&self, shared: PgPool, link: Arc<Link>, changes: Changes, window_days: i64) {
        let keeper = Keeper {
            shared,
            cache: self.writer.clone(),
            link,
            window_ms: window_days * DAY_MS,
        };
        let task = tokio::spawn(keeper.run(changes));
        *self.keeper.lock().unwrap_or_else(|e| e.into_inner()) = Some(task);
    }

    pub(super) async fn close(&self) {
        if let Some(keeper) = self.keeper.lock().unwrap_or_else(|e| e.into_inner()).take() {
            keeper.abort();
        }
        self.reader.close().await;
        self.writer.close().await;
    }
}

async fn setting(pool: &SqlitePool, key: &str) -> Result<Option<String>> {
    Ok(
        sqlx::query_scalar("SELECT value FROM desk_settings WHERE key = $1")
            .bind(key)
            .fetch_optional(pool)
            .await?,
    )
}

async fn save_setting(tx: &mut sqlx::SqliteConnection, key: &str, value: &str) -> Result<()> {
    sqlx::query(
        "INSERT INTO desk_settings (key, value) VALUES ($1, $2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(tx)
    .await?;
    Ok(())
}

struct Keeper {
    shared: PgPool,
    cache: SqlitePool,
    link: Arc<Link>,
    window_ms: i64,
}

impl Keeper {
    async fn run(self, mut changes: Changes) {
        let mut every = tokio::time::interval(SYNC_EVERY);
        loop {
            let first = tokio::select! {
                change = changes.next() => match change {
                    Some(change) => change,
                    None => return,
                },
                _ = every.tick() => Change::Everything,
            };
            let (wanted, open) = changes.gather(first, GATHER).await;
            if self.link.is_reachable() {
                if let Err(e) = self.copy(wanted).await {
                    tracing::warn!(error = %e, "could not copy the shared history to this desk");
                }
            }
            if !open {
                return;
            }
        }
    }

    async fn copy(&self, wanted: Gathered) -> Result<()> {
        if wanted.everything {
            return self.catch_up().await;
        }
        if wanted.profiles {
            self.copy_orders(&[]).await?;
        }
        if wanted.order_nos.is_empty() {
            return Ok(());
        }
        let order_nos: Vec<String> = wanted.order_nos.into_iter().collect();
        self.copy_numbers(&order_nos).await
    }

    /// Copies every order that changed on the server since the last catch-up (the window's
    /// start the first time), then notes the copy complete to when it began.
    async fn catch_up(&self) -> Result<()> {
        let began: i64 = <sqlx::Postgres as super::dialect::Dialect>::now(&self.shared).await?;
        let since = match setting(&self.cache, SYNCED_TO).await? {
            Some(synced) => synced.parse::<i64>().unwrap_or(0) - MARGIN_MS,
            None => began - self.window_ms,
        }
        .max(began - self.window_ms);
        let order_ids: Vec<i64> = sqlx::query_scalar(
            "SELECT id FROM orders WHERE created_at >= $1
             UNION SELECT order_id FROM attempts WHERE updated_at >= $1",
        )
        .bind(since)
        .fetch_all(&self.shared)
        .await?;
        self.copy_orders(&order_ids).await?;
        // The merchant's settings too: offline, a desk still counts its days in the merchant's
        // zone and prints its name.
        let (name, address, time_zone): (String, String, Option<String>) =
            sqlx::query_as("SELECT name, address, time_zone FROM merchant WHERE id = 1")
                .fetch_one(&self.shared)
                .await?;
        let mut tx = self.cache.begin_with("BEGIN IMMEDIATE").await?;
        sqlx::query("UPDATE merchant SET name = $1, address = $2, time_zone = $3 WHERE id = 1")
            .bind(&name)
            .bind(&address)
            .bind(&time_zone)
            .execute(&mut *tx)
            .await?;
        save_setting(&mut tx, SYNCED_TO, &began.to_string()).await?;
        let read_only = if self.link.is_read_only() { "1" } else { "0" };
        save_setting(&mut tx, READ_ONLY, read_only).await?;
        let let_go = let_go_of_orders_before(&mut tx, began - self.window_ms).await?;
        tx.commit().await?;
        if let_go > 0 {
            tracing::info!(
                orders = let_go,
                "let go of orders older than this desk's copy keeps"
            );
        }
        self.link.set_as_of(began);
        Ok(())
    }

    async fn copy_numbers(&self, order_nos: &[String]) -> Result<()> {
        copy_numbers(&self.shared, &self.cache, order_nos).await
    }

    async fn copy_orders(&self, order_ids: &[i64]) -> Result<()> {
        copy_orders(&self.shared, &self.cache, order_ids).await
    }
}

impl Cache {
    /// Copies these orders (by number) now, and keeps them for a window from now: what the
    /// desk paid or looked up.
    pub(super) async fn copy_now(&self, shared: &PgPool, order_nos: &[String]) -> Result<()> {
        let (order_ids, now) = order_ids_of(shared, order_nos).await?;
        copy_orders(shared, &self.writer, &order_ids).await?;
        let mut tx = self.writer.begin_with("BEGIN IMMEDIATE").await?;
        for id in order_ids {
            sqlx::query(
                "INSERT INTO kept_orders (order_id, kept_at) VALUES ($1, $2)
                 ON CONFLICT (order_id) DO UPDATE SET kept_at = excluded.kept_at",
            )
            .bind(id)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }
}

/// The server's ids of these orders, with the server's time (unix ms) in the same round trip.
async fn order_ids_of(shared: &PgPool, order_nos: &[String]) -> Result<(Vec<i64>, i64)> {
    let rows: Vec<(i64, i64)> = sqlx::query_as(&format!(
        "SELECT id, {POSTGRES_NOW_MS} FROM orders WHERE order_no = ANY($1)"
    ))
    .bind(order_nos)
    .fetch_all(shared)
    .await?;
    let now = rows.first().map_or(0, |(_, now)| *now);
    Ok((rows.into_iter().map(|(id, _)| id).collect(), now))
}

async fn copy_numbers(shared: &PgPool, cache: &SqlitePool, order_nos: &[String]) -> Result<()> {
    let (order_ids, _) = order_ids_of(shared, order_nos).await?;
    copy_orders(shared, cache, &order_ids).await
}

/// Removes from the copy every order with nothing in the window starting at `start` (unix
/// ms): created before it, no attempt on it touched since, none still open, and not paid or
/// looked up at this desk since. Returns how many orders went.
async fn let_go_of_orders_before(tx: &mut sqlx::SqliteConnection, start: i64) -> Result<u64> {
    sqlx::query("DELETE FROM kept_orders WHERE kept_at < $1")
        .bind(start)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DROP TABLE IF EXISTS temp.leaving")
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "CREATE TEMP TABLE leaving AS
         SELECT id FROM orders o
         WHERE o.created_at < $1
           AND o.id NOT IN (SELECT order_id FROM kept_orders)
           AND NOT EXISTS (
               SELECT 1 FROM attempts a WHERE a.order_id = o.id
                 AND (a.updated_at >= $1 OR a.state NOT IN ('succeeded', 'failed')))",
    )
    .bind(start)
    .execute(&mut *tx)
    .await?;
    let of_leaving = "(SELECT a.id FROM attempts a JOIN leaving l ON l.id = a.order_id)";
    for delete in [
        format!("DELETE FROM attempt_events WHERE attempt_id IN {of_leaving}"),
        format!("DELETE FROM reviews WHERE attempt_id IN {of_leaving}"),
        "DELETE FROM attempts WHERE order_id IN (SELECT id FROM leaving)".to_string(),
    ] {
        sqlx::query(&delete).execute(&mut *tx).await?;
    }
    let gone = sqlx::query("DELETE FROM orders WHERE id IN (SELECT id FROM leaving)")
        .execute(&mut *tx)
        .await?
        .rows_affected();
    sqlx::query("DROP TABLE temp.leaving")
        .execute(&mut *tx)
        .await?;
    Ok(gone)
}

/// Copies the profiles, and these orders whole, as the server holds them now.
async fn copy_orders(shared: &PgPool, cache: &SqlitePool, order_ids: &[i64]) -> Result<()> {
    let mut chunks: Vec<&[i64]> = order_ids.chunks(ORDERS_PER_COPY).collect();
    if chunks.is_empty() {
        chunks.push(&[]);
    }
    for ids in chunks {
        let rows = read_from_server(shared, ids).await?;
        write_copy(cache, ids, &rows).await?;
    }
    Ok(())
}

/// The profiles, and these orders with their attempts, events and reviews, read in one
/// snapshot.
struct Rows {
    profiles: Vec<ProfileRow>,
    orders: Vec<OrderRow>,
    attempts: Vec<AttemptRow>,
    events: Vec<EventRow>,
    reviews: Vec<ReviewRow>,
}

async fn read_from_server(shared: &PgPool, order_ids: &[i64]) -> Result<Rows> {
    let mut tx = shared.begin().await?;
    sqlx::query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        .execute(&mut *tx)
        .await?;
    let profiles = sqlx::query_as(
        "SELECT id, name, gateway, base_url, settings, is_sandbox, vault_id, created_at
         FROM profiles ORDER BY id",
    )
    .fetch_all(&mut *tx)
    .await?;
    let orders = sqlx::query_as(&format!(
        "SELECT id, order_no, profile_id, amount_minor, currency, subject, attributes, created_at,
                {ORDER_CHANGE_COLUMNS}
         FROM orders WHERE id = ANY($1) ORDER BY id",
    ))
    .bind(order_ids)
    .fetch_all(&mut *tx)
    .await?;
    let attempts = sqlx::query_as(&format!(
        "SELECT id, {ATTEMPT_COLUMNS}, db_role FROM attempts WHERE order_id = ANY($1) ORDER BY id"
    ))
    .bind(order_ids)
    .fetch_all(&mut *tx)
    .await?;
    let events = sqlx::query_as(
        "SELECT e.id, e.attempt_id, e.state, e.detail, e.at, e.desk, e.operator, e.db_role
         FROM attempt_events e JOIN attempts a ON a.id = e.attempt_id
         WHERE a.order_id = ANY($1) ORDER BY e.id",
    )
    .bind(order_ids)
    .fetch_all(&mut *tx)
    .await?;
    let reviews = sqlx::query_as(
        "SELECT r.id, r.attempt_id, r.decision, r.note, r.at, r.desk, r.operator, r.db_role
         FROM reviews r JOIN attempts a ON a.id = r.attempt_id
         WHERE a.order_id = ANY($1) ORDER BY r.id",
    )
    .bind(order_ids)
    .fetch_all(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(Rows {
        profiles,
        orders,
        attempts,
        events,
        reviews,
    })
}

/// Replaces the copy's profiles and the orders `order_ids` (with everything under them) by
/// `rows`, in one transaction.
async fn write_copy(cache: &SqlitePool, order_ids: &[i64], rows: &Rows) -> Result<()> {
    let ids = serde_json::to_string(order_ids).expect("ids serialize");
    let mut tx = cache.begin_with("BEGIN IMMEDIATE").await?;
    for p in &rows.profiles {
        sqlx::query(
            "INSERT INTO profiles (id, name, gateway, base_url, settings, is_sandbox, vault_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name, gateway = excluded.gateway,
                 base_url = excluded.base_url, settings = excluded.settings,
                 is_sandbox = excluded.is_sandbox, vault_id = excluded.vault_id",
        )
        .bind(p.id)
        .bind(&p.name)
        .bind(&p.gateway)
        .bind(&p.base_url)
        .bind(&p.settings)
        .bind(p.is_sandbox)
        .bind(&p.vault_id)
        .bind(p.created_at)
        .execute(&mut *tx)
        .await?;
    }
    let of_these_orders =
        "(SELECT id FROM attempts WHERE order_id IN (SELECT value FROM json_each($1)))";
    for delete in [
        format!("DELETE FROM attempt_events WHERE attempt_id IN {of_these_orders}"),
        format!("DELETE FROM reviews WHERE attempt_id IN {of_these_orders}"),
        "DELETE FROM attempts WHERE order_id IN (SELECT value FROM json_each($1))".to_string(),
    ] {
        sqlx::query(&delete).bind(&ids).execute(&mut *tx).await?;
    }
    for chunk in rows.orders.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO orders (id, order_no, profile_id, amount_minor, currency, subject, \
             attributes, created_at, {ORDER_CHANGE_COLUMNS}) "
        ));
        insert.push_values(chunk, |mut v, o| {
            v.push_bind(o.id)
                .push_bind(&o.order_no)
                .push_bind(o.profile_id)
                .push_bind(o.amount_minor)
                .push_bind(&o.currency)
                .push_bind(&o.subject)
                .push_bind(&o.attributes)
                .push_bind(o.created_at)
                .push_bind(o.revision)
                .push_bind(o.cancelled_at)
                .push_bind(&o.cancel_note)
                .push_bind(&o.changes);
        });
        insert.push(
            " ON CONFLICT (id) DO UPDATE SET order_no = excluded.order_no,
                 profile_id = excluded.profile_id, amount_minor = excluded.amount_minor,
                 currency = excluded.currency, subject = excluded.subject,
                 attributes = excluded.attributes, created_at = excluded.created_at,
                 revision = excluded.revision, cancelled_at = excluded.cancelled_at,
                 cancel_note = excluded.cancel_note, changes = excluded.changes",
        );
        insert.build().execute(&mut *tx).await?;
    }
    for chunk in rows.attempts.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(format!(
            "INSERT INTO attempts (id, {ATTEMPT_COLUMNS}, db_role) "
        ));
        insert.push_values(chunk, |mut v, a| {
            v.push_bind(a.id);
            push_attempt_columns!(v, a, a.order_id).push_bind(&a.db_role);
        });
        insert.build().execute(&mut *tx).await?;
    }
    for chunk in rows.events.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO attempt_events (id, attempt_id, state, detail, at, desk, operator, db_role) ",
        );
        insert.push_values(chunk, |mut v, e| {
            v.push_bind(e.id)
                .push_bind(e.attempt_id)
                .push_bind(&e.state)
                .push_bind(&e.detail)
                .push_bind(e.at)
                .push_bind(&e.desk)
                .push_bind(&e.operator)
                .push_bind(&e.db_role);
        });
        insert.build().execute(&mut *tx).await?;
    }
    for chunk in rows.reviews.chunks(ROWS_PER_INSERT) {
        let mut insert = QueryBuilder::<Sqlite>::new(
            "INSERT INTO reviews (id, attempt_id, decision, note, at, desk, operator, db_role) ",
        );
        insert.push_values(chunk, |mut v, r| {
            v.push_bind(r.id)
                .push_bind(r.attempt_id)
                .push_bind(&r.decision)
                .push_bind(&r.note)
                .push_bind(r.at)
                .push_bind(&r.desk)
                .push_bind(&r.operator)
                .push_bind(&r.db_role);
        });
        insert.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    Ok(())
}
