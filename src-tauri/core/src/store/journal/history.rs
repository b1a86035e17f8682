//! The payment history's SQL: attempts, newest first, narrowed by a filter.

use sqlx::Row as _;

use super::{Db, Pool, Row};
use crate::store::dialect::Dialect;
use crate::store::{HistoryColumns, HistoryFilter, Result, StoreError};

/// The history query for a filter (also what the scale test EXPLAINs).
pub(in crate::store) fn query(filter: &HistoryFilter) -> sqlx::QueryBuilder<'static, Db> {
    let mut query = sqlx::QueryBuilder::<Db>::new("");
    push_query(&mut query, filter);
    query
}

fn push_query(query: &mut sqlx::QueryBuilder<'static, Db>, filter: &HistoryFilter) {
    query.push(
        "SELECT a.id, o.order_no, p.name AS profile, p.gateway, p.is_sandbox, a.channel, a.state, a.amount_minor,
                o.currency, a.idempotency_key, a.gateway_ref, a.pay_url, a.error_code, a.error_message,
                a.created_at, a.updated_at, a.desk, a.operator, a.deductions, a.coupon,
                a.credit_minor, a.gateway_deduction_minor, a.subscription_refunds
         FROM attempts a JOIN orders o ON o.id = a.order_id JOIN profiles p ON p.id = o.profile_id
         WHERE 1 = 1",
    );
    if let Some(state) = filter.state {
        query.push(" AND a.state = ").push_bind(state.as_str());
    }
    if let Some(channel) = &filter.channel {
        query.push(" AND a.channel = ").push_bind(channel.clone());
    }
    if let Some(profile) = &filter.profile {
        query.push(" AND p.name = ").push_bind(profile.clone());
    }
    if let Some(since) = filter.since_ms {
        query.push(" AND a.created_at >= ").push_bind(since);
    }
    query
        .push(" ORDER BY a.created_at DESC, a.id DESC LIMIT ")
        .push_bind(filter.limit.unwrap_or(i64::MAX));
}

/// A page of the history as one row of JSON, its arrays in [`HistoryColumns`]' order: sqlx
/// hands each SQLite row over from its database thread on its own (about 8 µs a row), which
/// made a 50-row page cost four times its SQL.
pub(in crate::store) fn json_query(filter: &HistoryFilter) -> sqlx::QueryBuilder<'static, Db> {
    let mut query = sqlx::QueryBuilder::<Db>::new(format!(
        "SELECT {}id, order_no, profile, gateway, is_sandbox, channel, state, amount_minor, currency, \
         idempotency_key, gateway_ref, pay_url, error_code, error_message, created_at, \
         updated_at, desk, operator, deductions, coupon, credit_minor, gateway_deduction_minor, \
         subscription_refunds{} FROM (",
        Db::JSON_ROWS.0,
        Db::JSON_ROWS.1
    ));
    push_query(&mut query, filter);
    query.push(") h");
    query
}

/// The history's rows: a page as one row of JSON, every attempt row by row (one string of them
/// all could outgrow the longest value SQLite makes).
pub(in crate::store) async fn rows(
    pool: &Pool,
    filter: &HistoryFilter,
    as_json: bool,
) -> Result<Vec<HistoryColumns>> {
    if as_json {
        let rows: String = json_query(filter)
            .build_query_scalar()
            .fetch_one(pool)
            .await?;
        return serde_json::from_str(&rows).map_err(|e| StoreError::Corrupt(e.to_string()));
    }
    query(filter)
        .build()
        .fetch_all(pool)
        .await?
        .iter()
        .map(from_row)
        .collect()
}

fn from_row(row: &Row) -> Result<HistoryColumns> {
    Ok(HistoryColumns {
        id: row.try_get("id")?,
        order_no: row.try_get("order_no")?,
        profile: row.try_get("profile")?,
        gateway: row.try_get("gateway")?,
        is_sandbox: row.try_get("is_sandbox")?,
        channel: row.try_get("channel")?,
        state: row.try_get("state")?,
        amount_minor: row.try_get("amount_minor")?,
        currency: row.try_get("currency")?,
        idempotency_key: row.try_get("idempotency_key")?,
        gateway_ref: row.try_get("gateway_ref")?,
        pay_url: row.try_get("pay_url")?,
        error_code: row.try_get("error_code")?,
        error_message: row.try_get("error_message")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
        desk: row.try_get("desk")?,
        operator: row.try_get("operator")?,
        deductions: row.try_get("deductions")?,
        coupon: row.try_get("coupon")?,
        credit_minor: row.try_get("credit_minor")?,
        gateway_deduction_minor: row.try_get("gateway_deduction_minor")?,
        subscription_refunds: row.try_get("subscription_refunds")?,
    })
}
