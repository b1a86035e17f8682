//! The console's reads that are the same SQL on both databases: the support agent's lookup,
//! the dashboard's totals and the desks that took payments. (The orders list's search is
//! SQLite's trigram index: `console::search`.)

use std::collections::BTreeSet;

use sqlx::Row as _;

use super::{Db, Pool, Row};
use crate::store::dialect::Dialect;
use crate::store::Result;

/// One hit of a lookup as the database returns it: the order, what matched, its value.
pub(in crate::store) type Hit = (String, String, String);

/// Every order a support agent could mean by `text`: exact matches on any reference first,
/// then prefixes (below `end`), then the subject search.
pub(in crate::store) async fn lookup(
    pool: &Pool,
    text: &str,
    end: &str,
    limit: i64,
) -> Result<Vec<Hit>> {
    let exact = sqlx::query(
        "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no = $1
         UNION ALL
         SELECT o.order_no, 'gateway_ref', a.gateway_ref FROM attempts a JOIN orders o ON o.id = a.order_id
           WHERE a.gateway_ref = $1
         UNION ALL
         SELECT o.order_no, 'idempotency_key', a.idempotency_key FROM attempts a JOIN orders o ON o.id = a.order_id
           WHERE a.idempotency_key = $1
         UNION ALL
         SELECT o.order_no, 'pay_url', a.pay_url FROM attempts a JOIN orders o ON o.id = a.order_id
           WHERE a.pay_url = $1",
    )
    .bind(text)
    .fetch_all(pool)
    .await?;
    let mut hits = Vec::new();
    let mut seen = BTreeSet::new();
    take(exact, &mut hits, &mut seen)?;
    if !hits.is_empty() {
        return Ok(hits);
    }
    let mut fuzzy = sqlx::QueryBuilder::<Db>::new(
        "SELECT order_no, 'order_no' AS matched, order_no AS value FROM orders WHERE order_no >= ",
    );
    fuzzy
        .push_bind(text.to_string())
        .push(" AND order_no < ")
        .push_bind(end.to_string());
    for reference in ["gateway_ref", "idempotency_key"] {
        fuzzy
            .push(format!(
                " UNION ALL SELECT o.order_no, '{reference}', a.{reference} FROM attempts a
                  JOIN orders o ON o.id = a.order_id WHERE a.{reference} >= "
            ))
            .push_bind(text.to_string())
            .push(format!(" AND a.{reference} < "))
            .push_bind(end.to_string());
    }
    if text.chars().count() >= 3 {
        let (subjects, pattern) = Db::subjects_holding(text);
        fuzzy.push(" UNION ALL ").push(subjects).push_bind(pattern);
    }
    fuzzy.push(" LIMIT ").push_bind(limit);
    let rows = fuzzy.build().fetch_all(pool).await?;
    take(rows, &mut hits, &mut seen)?;
    Ok(hits)
}

/// Each order once, at its first hit.
fn take(rows: Vec<Row>, hits: &mut Vec<Hit>, seen: &mut BTreeSet<String>) -> Result<()> {
    for row in rows {
        let order_no: String = row.try_get("order_no")?;
        if seen.insert(order_no.clone()) {
            hits.push((order_no, row.try_get("matched")?, row.try_get("value")?));
        }
    }
    Ok(())
}

/// Attempts started at or after `since_ms`, summed by gateway, channel, state and currency:
/// `(gateway, channel, state, currency, count, total minor units)`.
pub(in crate::store) async fn takings(
    pool: &Pool,
    since_ms: i64,
) -> Result<Vec<(String, String, String, String, i64, i64)>> {
    let rows = sqlx::query(
        "SELECT p.gateway, a.channel, a.state, o.currency, count(*) AS n,
                CAST(sum(a.amount_minor - coalesce(a.gateway_deduction_minor, 0)) AS BIGINT) AS total
         FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
         WHERE a.created_at >= $1
         GROUP BY p.gateway, a.channel, a.state, o.currency
         ORDER BY p.gateway, a.channel, a.state, o.currency",
    )
    .bind(since_ms)
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

/// What is still open: `(open, needs review or contested, pending on gateways in `unasked`)`.
pub(in crate::store) async fn activity(pool: &Pool, unasked: &[&str]) -> Result<(i64, i64, i64)> {
    let mut q = sqlx::QueryBuilder::<Db>::new(
        "SELECT
           (SELECT count(*) FROM attempts WHERE state IN ('pending', 'unknown', 'submitting')) AS open,
           (SELECT count(*) FROM attempts WHERE state = 'needs_review')
             + (SELECT count(*) FROM attempts WHERE contested IS NOT NULL) AS needs_review,
           (SELECT count(*) FROM attempts a JOIN orders o ON o.id = a.order_id
              JOIN profiles p ON p.id = o.profile_id
              WHERE a.state = 'pending' AND p.gateway IN ('' ",
    );
    for gateway in unasked {
        q.push(", ").push_bind(gateway.to_string());
    }
    q.push(")) AS unasked");
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
    Ok(sqlx::query_scalar(
        "WITH RECURSIVE d(desk) AS (
             SELECT min(latest_desk) FROM orders WHERE latest_desk > ''
             UNION ALL
             SELECT (SELECT min(latest_desk) FROM orders WHERE latest_desk > d.desk)
             FROM d WHERE d.desk IS NOT NULL
         )
         SELECT desk FROM d WHERE desk IS NOT NULL",
    )
    .fetch_all(pool)
    .await?)
}
