//! What another process commits to a standalone desk's file (the command line, a script, a
//! second window on the same data directory) reaches this one's change feed. SQLite's
//! `data_version` moves whenever another connection commits; this watch asks it every
//! [`POLL_EVERY`] and, when it moved, puts on the feed what changed since it last looked:
//! orders added, attempts with new events, profiles, or, past what can be named, everything.
//! This process's own writes move it too and are named a second time: a refresh of what was
//! just shown, never a missed one. A shared store's desks tell each other through their
//! server instead ([`super::shared_feed`]).

use std::time::Duration;

use sqlx::sqlite::SqliteConnection;

use super::{Backend, Result, Store};
use crate::changes::Change;

/// How often the watch asks whether anything else wrote.
const POLL_EVERY: Duration = Duration::from_millis(500);

/// More new orders or attempt events than this at once are told as [`Change::Everything`].
const MAX_NAMED: i64 = 500;

/// How far the watch has seen the file.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    version: i64,
    last_order: i64,
    last_event: i64,
    profiles: String,
}

impl Store {
    /// Watches this desk's file for what other processes commit, for as long as the store's
    /// pool is open; nothing on a shared store.
    pub fn watch_other_writers(&self) {
        if !matches!(self.record, Backend::Sqlite(_)) {
            return;
        }
        let store = self.clone();
        tokio::spawn(async move {
            if let Err(e) = watch(&store).await {
                if !store.local.is_closed() {
                    tracing::warn!(error = %e, "stopped watching the data file for other writers");
                }
            }
        });
    }
}

async fn watch(store: &Store) -> Result<()> {
    // A connection of its own: `data_version` is what this connection has seen.
    let mut conn = store.local.acquire().await?.detach();
    let mut seen = look(&mut conn).await?;
    let mut every = tokio::time::interval(POLL_EVERY);
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    while !store.local.is_closed() {
        every.tick().await;
        let version: i64 = sqlx::query_scalar("PRAGMA data_version")
            .fetch_one(&mut conn)
            .await?;
        if version == seen.version {
            continue;
        }
        let now = look(&mut conn).await?;
        for change in changes_between(&mut conn, &seen, &now).await? {
            store.changes.publish(change);
        }
        seen = now;
    }
    Ok(())
}

/// Where the file stands now.
async fn look(conn: &mut SqliteConnection) -> Result<Seen> {
    let version: i64 = sqlx::query_scalar("PRAGMA data_version")
        .fetch_one(&mut *conn)
        .await?;
    let (last_order, last_event, profiles): (i64, i64, String) = sqlx::query_as(
        "SELECT (SELECT coalesce(max(id), 0) FROM orders),
                (SELECT coalesce(max(id), 0) FROM attempt_events),
                (SELECT coalesce(group_concat(p, char(30)), '') FROM (
                    SELECT name || char(31) || gateway || char(31) || base_url || char(31)
                           || settings || char(31) || is_sandbox AS p
                    FROM profiles ORDER BY id))",
    )
    .fetch_one(&mut *conn)
    .await?;
    Ok(Seen {
        version,
        last_order,
        last_event,
        profiles,
    })
}

/// What changed from `before` to `now`, as the feed names it.
async fn changes_between(
    conn: &mut SqliteConnection,
    before: &Seen,
    now: &Seen,
) -> Result<Vec<Change>> {
    if now.last_order - before.last_order > MAX_NAMED
        || now.last_event - before.last_event > MAX_NAMED
    {
        return Ok(vec![Change::Everything]);
    }
    let mut changes = Vec::new();
    if now.profiles != before.profiles {
        let names = sqlx::query_scalar("SELECT name FROM profiles ORDER BY id")
            .fetch_all(&mut *conn)
            .await?;
        changes.push(Change::Profiles { names });
    }
    if now.last_order > before.last_order {
        let order_nos: Vec<String> = sqlx::query_scalar(
            "SELECT order_no FROM orders WHERE id > $1 AND id <= $2 ORDER BY id",
        )
        .bind(before.last_order)
        .bind(now.last_order)
        .fetch_all(&mut *conn)
        .await?;
        changes.push(Change::Orders { order_nos });
    }
    if now.last_event > before.last_event {
        let touched: Vec<(i64, String)> = sqlx::query_as(
            "SELECT DISTINCT a.id, o.order_no
             FROM attempt_events e
             JOIN attempts a ON a.id = e.attempt_id
             JOIN orders o ON o.id = a.order_id
             WHERE e.id > $1 AND e.id <= $2",
        )
        .bind(before.last_event)
        .bind(now.last_event)
        .fetch_all(&mut *conn)
        .await?;
        let (attempt_ids, mut order_nos): (Vec<i64>, Vec<String>) = touched.into_iter().unzip();
        order_nos.sort();
        order_nos.dedup();
        changes.push(Change::Attempts {
            order_nos,
            attempt_ids,
        });
    }
    Ok(changes)
}
