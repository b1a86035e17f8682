//! Many attempts or orders read as one row of JSON per statement. sqlx hands each SQLite row
//! over from its database thread on its own (about 8 µs a row, and each column is then looked
//! up by name): a settling pass over 10,000 attempts spent more time there than in its SQL.
//! The database writes the rows as one JSON text ([`Dialect::JSON_ROWS`]) instead, read into
//! the same row types ([`AttemptRow`], [`OrderViewRow`]).

use serde::Deserialize;

use super::{push_in, Conn, Db, CHUNK_ROWS};
use crate::domain::{Attempt, OrderView};
use crate::store::dialect::Dialect;
use crate::store::rows::{AttemptRow, OrderViewRow, ATTEMPT_COLUMNS, ORDER_VIEW_COLUMNS};
use crate::store::{Result, StoreError};

/// `SELECT <columns as one JSON text> FROM (`: the select that yields `columns` follows,
/// then [`read`] closes it.
fn json_of<'args>(columns: &str) -> sqlx::QueryBuilder<'args, Db> {
    sqlx::QueryBuilder::new(format!(
        "SELECT {}{columns}{} FROM (",
        Db::JSON_ROWS.0,
        Db::JSON_ROWS.1
    ))
}

async fn read<T: for<'de> Deserialize<'de>>(
    conn: &mut Conn,
    mut query: sqlx::QueryBuilder<'_, Db>,
) -> Result<Vec<T>> {
    query.push(") r");
    let text: String = query.build_query_scalar().fetch_one(&mut *conn).await?;
    serde_json::from_str(&text).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// `SELECT <the attempts as one JSON text> FROM (`: a `SELECT * FROM attempts …` follows,
/// then [`read_attempts`] closes it and reads them.
pub(in crate::store) fn attempts_json<'args>() -> sqlx::QueryBuilder<'args, Db> {
    json_of(&format!("id, {ATTEMPT_COLUMNS}, db_role"))
}

pub(in crate::store) async fn read_attempts(
    conn: &mut Conn,
    query: sqlx::QueryBuilder<'_, Db>,
) -> Result<Vec<Attempt>> {
    read::<AttemptRow>(conn, query)
        .await?
        .into_iter()
        .map(Attempt::try_from)
        .collect()
}

/// A claim an attempt must carry to be read: this claimant's, until this time.
#[derive(Clone, Copy)]
pub(in crate::store) struct ClaimedAs<'a> {
    pub by: &'a str,
    pub until: i64,
}

impl ClaimedAs<'_> {
    /// ` AND` the attempt carries this claim.
    pub(in crate::store) fn push_carried(&self, query: &mut sqlx::QueryBuilder<'_, Db>) {
        query
            .push(" AND claimed_by = ")
            .push_bind(self.by.to_string())
            .push(" AND claimed_until = ")
            .push_bind(self.until);
    }
}

/// These attempts as they are now (inside the caller's transaction, where it has one); with
/// `claimed`, only those carrying that claim.
pub(in crate::store) async fn attempts_by_ids(
    conn: &mut Conn,
    attempt_ids: &[i64],
    claimed: Option<ClaimedAs<'_>>,
) -> Result<Vec<Attempt>> {
    let mut attempts = Vec::with_capacity(attempt_ids.len());
    for chunk in attempt_ids.chunks(CHUNK_ROWS) {
        let mut query = attempts_json();
        query.push("SELECT * FROM attempts WHERE ");
        push_in(&mut query, "id", chunk.iter().copied());
        if let Some(claim) = claimed {
            claim.push_carried(&mut query);
        }
        attempts.extend(read_attempts(conn, query).await?);
    }
    Ok(attempts)
}

/// These orders as the console shows them, by id.
pub(in crate::store) async fn orders_by_ids(
    conn: &mut Conn,
    order_ids: &[i64],
) -> Result<Vec<OrderView>> {
    let mut orders = Vec::with_capacity(order_ids.len());
    for chunk in order_ids.chunks(CHUNK_ROWS) {
        let mut query = json_of(ORDER_VIEW_COLUMNS);
        query.push(super::orders::ORDER_VIEW).push(" WHERE ");
        push_in(&mut query, "o.id", chunk.iter().copied());
        for row in read::<OrderViewRow>(conn, query).await? {
            orders.push(OrderView::try_from(row)?);
        }
    }
    Ok(orders)
}
