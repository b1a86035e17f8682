//! Orders: what is owed, by whom, on which profile; read as [`OrderView`]s with the state and
//! channel of their latest attempt.

use std::collections::HashMap;

use std::collections::HashSet;

use paydesk_gateways::{Currency, Money};
use paydesk_rules::parse::OrderCandidate;
use sqlx::Row as _;

use super::{corrupt_state, push_in, Db, Pool, Row, CHUNK_ROWS};
use crate::domain::{AttemptState, OrderView};
use crate::store::dialect::Dialect;
use crate::store::{is_unique_violation, json_map, to_json, NewOrder, Result, StoreError};

pub(in crate::store) const ORDER_VIEW: &str = "
    SELECT o.id, o.order_no, o.amount_minor, o.currency, o.subject, o.attributes, o.created_at,
           p.name AS profile, p.gateway, p.is_sandbox,
           a.state, a.channel, COALESCE(a.updated_at, o.created_at) AS updated_at
    FROM orders o
    JOIN profiles p ON p.id = o.profile_id
    LEFT JOIN attempts a ON a.id = (SELECT max(id) FROM attempts WHERE order_id = o.id)";

fn from_row(row: &Row) -> Result<OrderView> {
    let currency_code: String = row.try_get("currency")?;
    let currency =
        Currency::parse(&currency_code).map_err(|e| StoreError::Corrupt(e.to_string()))?;
    let amount_minor: i64 = row.try_get("amount_minor")?;
    let state: Option<String> = row.try_get("state")?;
    Ok(OrderView {
        id: row.try_get("id")?,
        order_no: row.try_get("order_no")?,
        profile: row.try_get("profile")?,
        gateway: row.try_get("gateway")?,
        is_sandbox: row.try_get("is_sandbox")?,
        amount_minor,
        currency: currency_code,
        amount: Money::from_minor(amount_minor, currency).to_decimal_string(),
        subject: row.try_get("subject")?,
        attributes: json_map(row.try_get("attributes")?)?,
        state: state
            .map(|s| AttemptState::parse(&s).ok_or_else(|| corrupt_state(&s)))
            .transpose()?,
        channel: row.try_get("channel")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(in crate::store) async fn add(
    pool: &Pool,
    new: &NewOrder,
    profile_id: i64,
    now: i64,
) -> Result<()> {
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
    .execute(pool)
    .await;
    match inserted {
        Err(e) if is_unique_violation(&e) => Err(StoreError::DuplicateOrder(new.order_no.clone())),
        Err(e) => Err(e.into()),
        Ok(_) => Ok(()),
    }
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
    sqlx::query(&format!("{ORDER_VIEW} ORDER BY o.id DESC LIMIT $1"))
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

/// These orders by id, in a query per chunk.
pub(in crate::store) async fn by_ids(
    pool: &Pool,
    order_ids: &[i64],
) -> Result<HashMap<i64, OrderView>> {
    let mut orders = HashMap::new();
    for chunk in order_ids.chunks(CHUNK_ROWS) {
        let mut query = sqlx::QueryBuilder::<Db>::new(ORDER_VIEW);
        query.push(" WHERE ");
        push_in(&mut query, "o.id", chunk.iter().copied());
        for row in query.build().fetch_all(pool).await? {
            let order = from_row(&row)?;
            orders.insert(order.id, order);
        }
    }
    Ok(orders)
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
    let mut went_in = HashSet::new();
    let mut tx = Db::begin_write(pool).await?;
    // Where rows get the next free ids in order (SQLite, its write lock keeping other writers
    // out), the rows a statement put in are exactly those above the largest id before it.
    let mut last_id: i64 = sqlx::query_scalar("SELECT COALESCE(max(id), 0) FROM orders")
        .fetch_one(&mut *tx)
        .await?;
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
        if added as usize == chunk.len() {
            went_in.extend(chunk.iter().map(|row| row.order_no.clone()));
        } else {
            // Some rows were already there: which ones went in, read as one row of JSON
            // rather than a row each.
            let json: String =
                sqlx::query_scalar("SELECT json_group_array(order_no) FROM orders WHERE id > $1")
                    .bind(last_id)
                    .fetch_one(&mut *tx)
                    .await?;
            went_in.extend(
                serde_json::from_str::<Vec<String>>(&json)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?,
            );
        }
        last_id += added as i64;
    }
    tx.commit().await?;
    Ok(went_in)
}
