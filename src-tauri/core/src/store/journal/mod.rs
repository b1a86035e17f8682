//! The store's SQL: profiles, orders (and an import's batches), attempts with their events,
//! claims, reviews, the history and the console's reads. Written once and compiled for each
//! database the store keeps its record in (`on_sqlite`, `on_postgres` in
//! `store/mod.rs`), `Db` being that copy's database; where the two differ is
//! [`super::super::dialect::Dialect`]'s. Parameters are written `$1`, which both read.
//!
//! Every function takes the time it records (`now`) and who it records (`Actor`) from the
//! caller, and publishes nothing: [`crate::store::Store`] does that after the commit.

pub(in crate::store) mod attempts;
pub(in crate::store) mod audit;
pub(in crate::store) mod claims;
pub(in crate::store) mod columns;
pub(in crate::store) mod console;
pub(in crate::store) mod history;
pub(in crate::store) mod merchant;
pub(in crate::store) mod orders;
pub(in crate::store) mod profiles;
pub(in crate::store) mod receipts;
pub(in crate::store) mod reviews;
pub(in crate::store) mod shifts;

use crate::store::StoreError;

pub(in crate::store) use super::Db;
type Row = <Db as sqlx::Database>::Row;
type Conn = <Db as sqlx::Database>::Connection;
type Pool = sqlx::Pool<Db>;

/// Rows per multi-row statement: well under either database's limit on bound values.
const CHUNK_ROWS: usize = 256;

/// `col IN ($1, $2, …)` for these values, pushed onto `query`.
fn push_in<'a>(
    query: &mut sqlx::QueryBuilder<'a, Db>,
    column: &str,
    values: impl IntoIterator<Item = i64>,
) {
    query.push(column).push(" IN (");
    let mut list = query.separated(", ");
    for value in values {
        list.push_bind(value);
    }
    query.push(")");
}

fn corrupt_state(state: &str) -> StoreError {
    StoreError::Corrupt(format!("state {state:?}"))
}
