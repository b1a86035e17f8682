//! Orders: what is owed, by whom, on which profile; read as [`OrderView`]s with the state and
//! channel of their latest attempt.

use std::collections::{HashMap, HashSet};

use paydesk_rules::parse::OrderCandidate;
use sqlx::Row as _;

use super::attempts::{held_by, live_attempt};
use super::{push_in, Conn, Db, Pool, Row, CHUNK_ROWS};
use crate::audit::{AuditAction, Audited};
use crate::domain::{Actor, OrderChange, OrderTerms, OrderView};
use crate::store::dialect::Dialect;
use crate::store::rows::OrderViewRow;
use crate::store::{is_unique_violation, json_map, to_json, NewOrder, Result, StoreError};

/// The columns [`from_row`] reads, of `orders o`, `profiles p` and the latest `attempts a`.
macro_rules! order_view_columns {
    () => {
        "o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
           o.revision, o.cancelled_at, o.cancel_note, p.name AS profile, p.gateway, p.is_sandbox,
           a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at"
    };
}

/// What joins an order (`o`) to its profile and its latest attempt for the columns above.
macro_rules! order_view_joins {
    () => {
        concat!(
            "
    JOIN profiles p ON p.id = o.profile_id
    LEFT JOIN attempts a ON a.id = ",
            latest_attempt_of!("o.id")
        )
    };
}

pub(in crate::store) const ORDER_VIEW_COLUMNS: &str = order_view_columns!();
pub(in crate::store) const ORDER_VIEW_JOINS: &str = order_view_joins!();
pub(in crate::store) const ORDER_VIEW: &str = concat!(
    "
    SELECT ",
    order_view_columns!(),
    "
    FROM orders o",
    order_view_joins!()
);

pub(in crate::store) fn from_row(row: &Row) -> Result<OrderView> {
    <OrderViewRow as sqlx::FromRow<Row>>::from_row(row)?.try_into()
}

pub(in crate::store) async fn add(
    pool: &Pool,
    new: &NewOrder,
    profile_id: i64,
    actor: &Actor,
    now: i64,
) -> Result<()> {
    let mut tx = Db::begin_write(pool).await?;
    let inserted = sqlx::query(
        "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(&new.order_no)
    .bind(profile_id)
    .bind(new.amount.minor)
    .bind(new.amount.currency.code())
    .bind(&new.subject)
    .bind(to_json(&new.attributes))
    .bind(now)
    .execute(&mut *tx)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => {
            return Err(StoreError::DuplicateOrder(new.order_no.clone()))
        }
        Err(e) => return Err(e.into()),
        Ok(_) => {}
    }
    let entry = Audited::new(AuditAction::OrderAdded, &new.order_no)
        .with("amount_minor", new.amount.minor)
        .with("currency", new.amount.currency.code())
        .with("subject", &new.subject);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    tx.commit().await?;
    Ok(())
}

pub(in crate::store) async fn by_number(pool: &Pool, order_no: &str) -> Result<OrderView> {
    let row = sqlx::query(&format!("{ORDER_VIEW} WHERE o.order_no = $1"))
        .bind(order_no)
        .fetch_optional(pool)
        .await?
        .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
    from_row(&row)
}

/// The newest orders first, at most `limit`.
pub(in crate::store) async fn newest(pool: &Pool, limit: i64) -> Result<Vec<OrderView>> {
    sqlx::query(&format!(
        "{ORDER_VIEW} ORDER BY o.created_at DESC, o.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(pool)
    .await?
    .iter()
    .map(from_row)
    .collect()
}

pub(in crate::store) async fn by_id(pool: &Pool, order_id: i64) -> Result<OrderView> {
    let row = sqlx::query(&format!("{ORDER_VIEW} WHERE o.id = $1"))
        .bind(order_id)
        .fetch_one(pool)
        .await?;
    from_row(&row)
}

/// These orders by id, each chunk's as one JSON text.
pub(in crate::store) async fn by_ids(
    pool: &Pool,
    order_ids: &[i64],
) -> Result<HashMap<i64, OrderView>> {
    let mut conn = pool.acquire().await?;
    let orders = super::columns::orders_by_ids(&mut conn, order_ids).await?;
    Ok(orders.into_iter().map(|order| (order.id, order)).collect())
}

/// The order numbers of these attempts, each once.
pub(in crate::store) async fn numbers_of_attempts(
    pool: &Pool,
    attempt_ids: &[i64],
) -> Result<Vec<String>> {
    let mut numbers = Vec::new();
    for chunk in attempt_ids.chunks(CHUNK_ROWS) {
        let mut query = sqlx::QueryBuilder::<Db>::new(
            "SELECT DISTINCT o.order_no FROM attempts a JOIN orders o ON o.id = a.order_id WHERE ",
        );
        push_in(&mut query, "a.id", chunk.iter().copied());
        numbers.extend(query.build_query_scalar::<String>().fetch_all(pool).await?);
    }
    numbers.sort();
    numbers.dedup();
    Ok(numbers)
}

/// Adds these orders in one durable transaction, each whose number the store does not have
/// yet (the first of a number in `rows` takes it); returns the numbers that went in.
pub(in crate::store) async fn add_many(
    pool: &Pool,
    rows: &[OrderCandidate],
    now: i64,
) -> Result<HashSet<String>> {
    let mut conn = pool.acquire().await?;
    let Some((larger, usual)) = Db::IMPORT_PAGE_CACHE else {
        return add_many_on(&mut conn, rows, now).await;
    };
    sqlx::query(larger).execute(&mut *conn).await?;
    let written = add_many_on(&mut conn, rows, now).await;
    sqlx::query(usual).execute(&mut *conn).await?;
    written
}

async fn add_many_on(
    conn: &mut Conn,
    rows: &[OrderCandidate],
    now: i64,
) -> Result<HashSet<String>> {
    let mut went_in = HashSet::new();
    let mut tx = Db::begin_write_on(conn).await?;
    // Where rows get the next free ids in order (SQLite, its write lock keeping other writers
    // out), the rows a statement put in are exactly those above the largest id before it.
    let mut last_id: i64 = sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM orders")
        .fetch_one(&mut *tx)
        .await?;
    if let Some(insert) = Db::INSERT_ORDERS_FROM_JSON {
        for chunk in rows.chunks(crate::store::IMPORT_ROWS_PER_JSON) {
            let json = serde_json::to_string(
                &chunk
                    .iter()
                    .map(|row| {
                        (
                            &row.order_no,
                            row.profile_id,
                            row.amount.minor,
                            row.amount.currency.code(),
                            &row.subject,
                            to_json(&row.attributes),
                        )
                    })
                    .collect::<Vec<_>>(),
            )
            .map_err(|e| StoreError::Corrupt(e.to_string()))?;
            let added = sqlx::query(insert)
                .bind(json)
                .bind(now)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            went_in.extend(added_rows(&mut tx, chunk, added, last_id).await?);
            last_id += added as i64;
        }
        tx.commit().await?;
        return Ok(went_in);
    }
    for chunk in rows.chunks(crate::store::IMPORT_ROWS_PER_STATEMENT) {
        let mut insert = sqlx::QueryBuilder::<Db>::new(
            "INSERT INTO orders (order_no, profile_id, amount_minor, currency, subject, attributes, created_at) ",
        );
        insert.push_values(chunk, |mut values, row| {
            values
                .push_bind(&row.order_no)
                .push_bind(row.profile_id)
                .push_bind(row.amount.minor)
                .push_bind(row.amount.currency.code())
                .push_bind(&row.subject)
                .push_bind(to_json(&row.attributes))
                .push_bind(now);
        });
        // An order number the store already has is left as it was.
        insert.push(" ON CONFLICT (order_no) DO NOTHING");
        if !Db::IDS_IN_INSERT_ORDER {
            insert.push(" RETURNING order_no");
            went_in.extend(
                insert
                    .build_query_scalar::<String>()
                    .fetch_all(&mut *tx)
                    .await?,
            );
            continue;
        }
        let added = insert.build().execute(&mut *tx).await?.rows_affected();
        went_in.extend(added_rows(&mut tx, chunk, added, last_id).await?);
        last_id += added as i64;
    }
    tx.commit().await?;
    Ok(went_in)
}

/// The numbers of `chunk`'s orders that one statement put in (`added` of them, the ids above
/// `last_id`, on a database whose inserts take ids in order).
async fn added_rows(
    tx: &mut Conn,
    chunk: &[OrderCandidate],
    added: u64,
    last_id: i64,
) -> Result<Vec<String>> {
    if added as usize == chunk.len() {
        return Ok(chunk.iter().map(|row| row.order_no.clone()).collect());
    }
    // Some rows were already there: which ones went in, read as one row of JSON rather than
    // a row each.
    let json: String =
        sqlx::query_scalar("SELECT json_group_array(order_no) FROM orders WHERE id > $1")
            .bind(last_id)
            .fetch_one(&mut *tx)
            .await?;
    serde_json::from_str::<Vec<String>>(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// What an order is, read under a lock that keeps its other writers waiting until the
/// transaction ends.
struct Locked {
    id: i64,
    revision: i64,
    cancelled: bool,
    changes: Vec<OrderChange>,
    terms: OrderTerms,
}

async fn lock(conn: &mut Conn, column: &str, key: impl ToString) -> Result<Option<Locked>> {
    let row = sqlx::query(&format!(
        "SELECT id, revision, cancelled_at, changes, amount_minor, subject, attributes
         FROM orders WHERE {column} = $1 {}",
        Db::LOCK_ROW
    ))
    .bind(key.to_string())
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let changes: String = row.try_get("changes")?;
    Ok(Some(Locked {
        id: row.try_get("id")?,
        revision: row.try_get("revision")?,
        cancelled: row.try_get::<Option<i64>, _>("cancelled_at")?.is_some(),
        changes: serde_json::from_str(&changes).map_err(|e| StoreError::Corrupt(e.to_string()))?,
        terms: OrderTerms {
            amount_minor: row.try_get("amount_minor")?,
            subject: row.try_get("subject")?,
            attributes: json_map(row.try_get("attributes")?)?,
        },
    }))
}

/// Holds the order for a new attempt inside its transaction: refused when it was cancelled
/// or edited since the payment read it at `revision`.
pub(in crate::store) async fn lock_unchanged(
    conn: &mut Conn,
    order_id: i64,
    order_no: &str,
    revision: i64,
) -> Result<()> {
    // By id: the column is the same on both databases, bound as a number.
    let row: Option<(i64, Option<i64>)> = sqlx::query_as(&format!(
        "SELECT revision, cancelled_at FROM orders WHERE id = $1 {}",
        Db::LOCK_ROW
    ))
    .bind(order_id)
    .fetch_optional(&mut *conn)
    .await?;
    match row {
        None => Err(StoreError::NoSuchOrder(order_no.to_string())),
        Some((_, Some(_))) => Err(StoreError::OrderCancelled(order_no.to_string())),
        Some((now_at, None)) if now_at != revision => {
            Err(StoreError::OrderChanged(order_no.to_string()))
        }
        Some(_) => Ok(()),
    }
}

/// Locks an unpaid order for a change: one without a live attempt (paid or under way), not
/// cancelled, and (where the caller read it at one) still at `revision`.
async fn lock_unpaid(conn: &mut Conn, order_no: &str, revision: Option<i64>) -> Result<Locked> {
    let order = lock(conn, "order_no", order_no)
        .await?
        .ok_or_else(|| StoreError::NoSuchOrder(order_no.to_string()))?;
    if order.cancelled {
        return Err(StoreError::OrderCancelled(order_no.to_string()));
    }
    if revision.is_some_and(|read_at| read_at != order.revision) {
        return Err(StoreError::OrderChanged(order_no.to_string()));
    }
    // Read after the lock: an attempt begun before it was granted is seen here.
    if let Some(live) = live_attempt(conn, order.id).await? {
        return Err(held_by(order_no, Some(&live)));
    }
    Ok(order)
}

fn changes_json(changes: &[OrderChange]) -> Result<String> {
    serde_json::to_string(changes).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// Gives an unpaid order new terms, read by the caller at `revision`; the edit is added to
/// the order's changes. Returns whether anything changed (the same terms again change nothing).
pub(in crate::store) async fn edit(
    pool: &Pool,
    order_no: &str,
    revision: i64,
    terms: &OrderTerms,
    actor: &Actor,
    now: i64,
) -> Result<bool> {
    let mut tx = Db::begin_write(pool).await?;
    let mut order = lock_unpaid(&mut tx, order_no, Some(revision)).await?;
    if order.terms == *terms {
        return Ok(false);
    }
    let entry = Audited::new(AuditAction::OrderEdited, order_no)
        .with("before", &order.terms)
        .with("after", terms);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    order.changes.push(OrderChange::Edited {
        at: now,
        desk: actor.desk.clone(),
        operator: actor.operator.clone(),
        before: order.terms,
        after: terms.clone(),
    });
    sqlx::query(
        "UPDATE orders SET amount_minor = $1, subject = $2, attributes = $3,
                revision = revision + 1, changes = $4
         WHERE id = $5",
    )
    .bind(terms.amount_minor)
    .bind(&terms.subject)
    .bind(to_json(&terms.attributes))
    .bind(changes_json(&order.changes)?)
    .bind(order.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Cancels an unpaid order, with the person's note; a cancelled order stays as it is.
/// Returns whether it was cancelled now.
pub(in crate::store) async fn cancel(
    pool: &Pool,
    order_no: &str,
    note: Option<&str>,
    actor: &Actor,
    now: i64,
) -> Result<bool> {
    let mut tx = Db::begin_write(pool).await?;
    let mut order = match lock_unpaid(&mut tx, order_no, None).await {
        Err(StoreError::OrderCancelled(_)) => return Ok(false),
        locked => locked?,
    };
    let entry = Audited::new(AuditAction::OrderCancelled, order_no).with("note", note);
    super::audit::record(&mut tx, &entry, actor, now).await?;
    order.changes.push(OrderChange::Cancelled {
        at: now,
        desk: actor.desk.clone(),
        operator: actor.operator.clone(),
        note: note.map(str::to_string),
    });
    sqlx::query(
        "UPDATE orders SET cancelled_at = $1, cancel_note = $2, revision = revision + 1,
                changes = $3
         WHERE id = $4",
    )
    .bind(now)
    .bind(note)
    .bind(changes_json(&order.changes)?)
    .bind(order.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// An order's changes since it was added, oldest first.
pub(in crate::store) async fn changes_of(pool: &Pool, order_id: i64) -> Result<Vec<OrderChange>> {
    let json: String = sqlx::query_scalar("SELECT changes FROM orders WHERE id = $1")
        .bind(order_id)
        .fetch_one(pool)
        .await?;
    serde_json::from_str(&json).map_err(|e| StoreError::Corrupt(e.to_string()))
}
