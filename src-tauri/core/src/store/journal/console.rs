//! The console's reads that are the same SQL on both databases: the support agent's lookup,
//! the dashboard's totals and the desks that took payments. (The orders list's search is
//! SQLite's trigram index: `console::search`.)

use std::collections::BTreeSet;

use sqlx::Row as _;

use super::orders::ORDER_VIEW_COLUMNS;
use super::orders::ORDER_VIEW_JOINS;
use super::{Db, Pool, Row};
use crate::domain::OrderView;
use crate::store::dialect::{Dialect, Held};
use crate::store::Result;

/// One hit of a lookup: the order as it stands, what matched, its value.
pub(in crate::store) type Hit = (OrderView, String, String);

/// Part of an id is looked for from this many characters: fewer match too much to mean one.
pub(crate) const MIN_PART_CHARS: usize = 6;

/// `hits` (rows of `(id, matched, value, rank)`) with each order as it stands, in one statement.
fn with_orders(query: &mut sqlx::QueryBuilder<'_, Db>) {
    query.push(format!(
        ") h JOIN orders o ON o.id = h.id {ORDER_VIEW_JOINS}"
    ));
}

/// Every order a support agent could mean by `text`, best first: exact matches on any
/// reference (then nothing else), else prefixes (below `end`) of the order number and the
/// references, then part of the order number or a gateway's or customer's reference (six
/// characters or more), then the subject (three or more); newest first within each. Each
/// stage is one statement that reads the orders it found as well.
pub(in crate::store) async fn lookup(
    pool: &Pool,
    text: &str,
    end: &str,
    limit: i64,
) -> Result<Vec<Hit>> {
    // One parameter, every reference held against it.
    let exact = sqlx::query(&format!(
        "SELECT h.matched, h.value, {ORDER_VIEW_COLUMNS} FROM (
           SELECT id, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no = $1
           UNION ALL
           SELECT order_id, 'gateway_ref', gateway_ref FROM attempts WHERE gateway_ref = $1
           UNION ALL
           SELECT order_id, 'customer_ref', customer_ref FROM attempts WHERE customer_ref = $1
           UNION ALL
           SELECT order_id, 'idempotency_key', idempotency_key FROM attempts
             WHERE idempotency_key = $1
           UNION ALL
           SELECT order_id, 'pay_url', pay_url FROM attempts WHERE pay_url = $1
         ) h JOIN orders o ON o.id = h.id {ORDER_VIEW_JOINS}"
    ))
    .bind(text)
    .fetch_all(pool)
    .await?;
    let mut hits = Vec::new();
    let mut seen = BTreeSet::new();
    take(exact, &mut hits, &mut seen)?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    let mut fuzzy = sqlx::QueryBuilder::<Db>::new(format!(
        "SELECT h.matched, h.value, {ORDER_VIEW_COLUMNS} FROM ("
    ));
    fuzzy
        .push("SELECT id, 'order_no' AS matched, order_no AS value, 1 AS rank FROM orders WHERE order_no >= ")
        .push_bind(text.to_string())
        .push(" AND order_no < ")
        .push_bind(end.to_string());
    for reference in ["gateway_ref", "customer_ref", "idempotency_key"] {
        fuzzy
            .push(format!(
                " UNION ALL SELECT order_id, '{reference}', {reference}, 1 FROM attempts
                  WHERE {reference} >= "
            ))
            .push_bind(text.to_string())
            .push(format!(" AND {reference} < "))
            .push_bind(end.to_string());
    }
    let chars = text.chars().count();
    let mut parts = Vec::new();
    if chars >= MIN_PART_CHARS {
        parts.extend([
            (Held::OrderNo, 2),
            (Held::GatewayRef, 2),
            (Held::CustomerRef, 2),
        ]);
    }
    if chars >= 3 {
        parts.push((Held::Subject, 3));
    }
    for (reference, rank) in parts {
        let (sql, value) = Db::holding(reference, text);
        fuzzy
            .push(format!(" UNION ALL SELECT p.*, {rank} FROM ("))
            .push(sql)
            .push_bind(value)
            .push(") p");
    }
    with_orders(&mut fuzzy);
    fuzzy
        .push(" ORDER BY h.rank, o.id DESC LIMIT ")
        .push_bind(limit);
    take(fuzzy.build().fetch_all(pool).await?, &mut hits, &mut seen)?;
    Ok(hits)
}

/// Each order once, at its first (best) hit.
fn take(rows: Vec<Row>, hits: &mut Vec<Hit>, seen: &mut BTreeSet<i64>) -> Result<()> {
    for row in rows {
        let order = super::orders::from_row(&row)?;
        if seen.insert(order.id) {
            hits.push((order, row.try_get("matched")?, row.try_get("value")?));
        }
    }
    Ok(())
}

/// The orders of this amount (in any currency, as `(currency codes, minor units)` pairs) added
/// in `[since, until)` (unix ms), newest first.
pub(in crate::store) async fn by_amount(
    pool: &Pool,
    amounts: &[(Vec<String>, i64)],
    since: i64,
    until: i64,
    limit: i64,
) -> Result<Vec<OrderView>> {
    if amounts.is_empty() {
        return Ok(Vec::new());
    }
    let mut q = sqlx::QueryBuilder::<Db>::new(format!(
        "SELECT {ORDER_VIEW_COLUMNS} FROM orders o {ORDER_VIEW_JOINS} WHERE ("
    ));
    for (i, (currencies, minor)) in amounts.iter().enumerate() {
        if i > 0 {
            q.push(" OR ");
        }
        q.push("(o.amount_minor = ")
            .push_bind(*minor)
            .push(" AND o.currency IN (");
        let mut list = q.separated(", ");
        for code in currencies {
            list.push_bind(code.clone());
        }
        q.push("))");
    }
    q.push(") AND o.created_at >= ")
        .push_bind(since)
        .push(" AND o.created_at < ")
        .push_bind(until)
        .push(" ORDER BY o.id DESC LIMIT ")
        .push_bind(limit);
    q.build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(super::orders::from_row)
        .collect()
}

/// Paid attempts started in `[since_ms, until_ms)` summed by gateway, currency and day (days
/// counted from the epoch on a clock `offset_ms` ahead of UTC): `(gateway, currency, day,
/// count, total minor units charged)`.
pub(in crate::store) async fn daily(
    pool: &Pool,
    since_ms: i64,
    until_ms: i64,
    offset_ms: i64,
    counts_sandbox: bool,
) -> Result<Vec<(String, String, i64, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT p.gateway, o.currency, (a.created_at + $3) / 86400000 AS day, count(*) AS n,
                CAST(sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS BIGINT) AS total
         FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
         WHERE a.state = 'succeeded' AND a.created_at >= $1 AND a.created_at < $2
           AND ($4 OR NOT p.is_sandbox)
         GROUP BY p.gateway, o.currency, (a.created_at + $3) / 86400000
         ORDER BY 3, 1, 2",
    )
    .bind(since_ms)
    .bind(until_ms)
    .bind(offset_ms)
    .bind(counts_sandbox)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("gateway")?,
                row.try_get("currency")?,
                row.try_get("day")?,
                row.try_get("n")?,
                row.try_get("total")?,
            ))
        })
        .collect()
}

/// Attempts started at or after `since_ms`, summed by gateway, channel, state and currency:
/// `(gateway, channel, state, currency, count, total minor units)`.
pub(in crate::store) async fn takings(
    pool: &Pool,
    since_ms: i64,
    counts_sandbox: bool,
) -> Result<Vec<(String, String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT p.gateway, a.channel, a.state, o.currency, count(*) AS n,
                CAST(sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS BIGINT) AS total
         FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
         WHERE a.created_at >= $1 AND ($2 OR NOT p.is_sandbox)
         GROUP BY p.gateway, a.channel, a.state, o.currency
         ORDER BY p.gateway, a.channel, a.state, o.currency",
    )
    .bind(since_ms)
    .bind(counts_sandbox)
    .fetch_all(pool)
    .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("gateway")?,
                row.try_get("channel")?,
                row.try_get("state")?,
                row.try_get("currency")?,
                row.try_get("n")?,
                row.try_get("total")?,
            ))
        })
        .collect()
}

/// One day's attempts (started in `[$1, $3)`) by gateway, channel, state, currency and whether
/// they started before `$2` ("by this time"), with their count and what they came to charged;
/// a sandbox profile's only where `$4`. Read through the index of attempts by their start.
pub(in crate::store) const DAY_ATTEMPTS: &str = "SELECT p.gateway, a.channel, a.state, o.currency,
        CAST(CASE WHEN a.created_at < $2 THEN 1 ELSE 0 END AS BIGINT) AS by_this_time,
        count(*) AS n,
        CAST(sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS BIGINT) AS total
 FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
 WHERE a.created_at >= $1 AND a.created_at < $3 AND ($4 OR NOT p.is_sandbox)
 GROUP BY 1, 2, 3, 4, 5";

/// `(gateway, channel, state, currency, started by this time, count, total minor units)` of
/// the attempts started in `[since_ms, until_ms)`, `cut_ms` being "by this time".
pub(in crate::store) async fn day_attempts(
    pool: &Pool,
    since_ms: i64,
    cut_ms: i64,
    until_ms: i64,
    counts_sandbox: bool,
) -> Result<Vec<(String, String, String, String, bool, i64, i64)>> {
    let rows = sqlx::query(DAY_ATTEMPTS)
        .bind(since_ms)
        .bind(cut_ms)
        .bind(until_ms)
        .bind(counts_sandbox)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("gateway")?,
                row.try_get("channel")?,
                row.try_get("state")?,
                row.try_get("currency")?,
                row.try_get::<i64, _>("by_this_time")? == 1,
                row.try_get("n")?,
                row.try_get("total")?,
            ))
        })
        .collect()
}

/// One day's failed attempts (started in `[$1, $2)`) by gateway and error code, each with the
/// latest one's message; a sandbox profile's only where `$3`. Read through the index of
/// attempts by state and start.
pub(in crate::store) const DAY_FAILURES: &str =
    "SELECT f.gateway, f.code, f.n, l.error_message AS message
 FROM (SELECT p.gateway, a.error_code AS code, count(*) AS n, max(a.id) AS latest
       FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
       WHERE a.state = 'failed' AND a.created_at >= $1 AND a.created_at < $2
         AND ($3 OR NOT p.is_sandbox)
       GROUP BY p.gateway, a.error_code) f
 JOIN attempts l ON l.id = f.latest";

/// `(gateway, error code, count, the latest one's message)` of the attempts started in
/// `[since_ms, until_ms)` that failed.
pub(in crate::store) async fn day_failures(
    pool: &Pool,
    since_ms: i64,
    until_ms: i64,
    counts_sandbox: bool,
) -> Result<Vec<(String, Option<String>, i64, Option<String>)>> {
    let rows = sqlx::query(DAY_FAILURES)
        .bind(since_ms)
        .bind(until_ms)
        .bind(counts_sandbox)
        .fetch_all(pool)
        .await?;
    rows.iter()
        .map(|row| {
            Ok((
                row.try_get("gateway")?,
                row.try_get("code")?,
                row.try_get("n")?,
                row.try_get("message")?,
            ))
        })
        .collect()
}

/// What is still open: `(open, needs review or contested, pending on gateways in `unasked`)`.
/// No gateway in `unasked`: none is counted, and no pending attempt's order is read for it.
pub(in crate::store) async fn activity(pool: &Pool, unasked: &[&str]) -> Result<(i64, i64, i64)> {
    let mut q = sqlx::QueryBuilder::<Db>::new(
        "SELECT
           (SELECT count(*) FROM attempts WHERE state IN ('pending', 'unknown', 'submitting')) AS open,
           (SELECT count(*) FROM attempts WHERE state = 'needs_review')
             + (SELECT count(*) FROM attempts WHERE contested IS NOT NULL) AS needs_review, ",
    );
    if unasked.is_empty() {
        q.push("CAST(0 AS BIGINT) AS unasked");
    } else {
        q.push(
            "(SELECT count(*) FROM attempts a JOIN orders o ON o.id = a.order_id
               JOIN profiles p ON p.id = o.profile_id
               WHERE a.state = 'pending' AND p.gateway IN ('' ",
        );
        for gateway in unasked {
            q.push(", ").push_bind(gateway.to_string());
        }
        q.push(")) AS unasked");
    }
    let row = q.build().fetch_one(pool).await?;
    Ok((
        row.try_get("open")?,
        row.try_get("needs_review")?,
        row.try_get("unasked")?,
    ))
}

/// The desks that took orders' latest payments, by name: one seek of the index of orders by
/// desk per desk, however many orders there are.
pub(in crate::store) async fn desks(pool: &Pool) -> Result<Vec<String>> {
    let orders = Db::ORDERS_LISTED;
    Ok(sqlx::query_scalar(&format!(
        "WITH RECURSIVE d(desk) AS (
             SELECT min(latest_desk) FROM {orders} WHERE latest_desk > ''
             UNION ALL
             SELECT (SELECT min(latest_desk) FROM {orders} WHERE latest_desk > d.desk)
             FROM d WHERE d.desk IS NOT NULL
         )
         SELECT desk FROM d WHERE desk IS NOT NULL"
    ))
    .fetch_all(pool)
    .await?)
}
