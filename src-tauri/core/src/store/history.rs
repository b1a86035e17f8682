//! The payment history: attempts, newest first, narrowed by a filter (the CLI's `history`
//! and the exports).

use paydesk_gateways::{Currency, Money};
use sqlx::sqlite::SqliteRow;
use sqlx::Row;

use super::{Result, Store, StoreError};
use crate::domain::AttemptState;

/// Filters for the payment history (every one optional).
#[derive(Debug, Clone, Default)]
pub struct HistoryFilter {
    pub state: Option<AttemptState>,
    pub channel: Option<String>,
    pub profile: Option<String>,
    /// Attempts created at or after this time (unix ms).
    pub since_ms: Option<i64>,
    pub limit: Option<i64>,
}

/// One attempt as the history lists it.
#[derive(Debug, Clone, serde::Serialize, PartialEq, Eq)]
pub struct HistoryRow {
    pub attempt_id: i64,
    pub order_no: String,
    pub profile: String,
    pub gateway: String,
    pub channel: String,
    pub state: AttemptState,
    pub amount: String,
    pub currency: String,
    pub idempotency_key: String,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl Store {
    /// The history query for a filter (also what the scale test EXPLAINs).
    pub(crate) fn history_query(
        filter: &HistoryFilter,
    ) -> sqlx::QueryBuilder<'static, sqlx::Sqlite> {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new("");
        Self::push_history_query(&mut query, filter);
        query
    }

    fn push_history_query(
        query: &mut sqlx::QueryBuilder<'static, sqlx::Sqlite>,
        filter: &HistoryFilter,
    ) {
        query.push(
            "SELECT a.id, o.order_no, p.name AS profile, p.gateway, a.channel, a.state, a.amount_minor,
                    o.currency, a.idempotency_key, a.gateway_ref, a.pay_url, a.error_code, a.error_message,
                    a.created_at, a.updated_at
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
    /// hands each row over from its database thread on its own (about 8 µs a row), which made
    /// a 50-row page cost four times its SQL.
    pub(crate) fn history_json_query(
        filter: &HistoryFilter,
    ) -> sqlx::QueryBuilder<'static, sqlx::Sqlite> {
        let mut query = sqlx::QueryBuilder::<sqlx::Sqlite>::new(
            "SELECT json_group_array(json_array(id, order_no, profile, gateway, channel, state, \
             amount_minor, currency, idempotency_key, gateway_ref, pay_url, error_code, \
             error_message, created_at, updated_at)) FROM (",
        );
        Self::push_history_query(&mut query, filter);
        query.push(")");
        query
    }

    /// Attempts, newest first, narrowed by the filter.
    pub async fn history(&self, filter: &HistoryFilter) -> Result<Vec<HistoryRow>> {
        let rows: Vec<HistoryColumns> = match filter.limit {
            Some(limit) if limit <= HISTORY_PAGE_AS_JSON => {
                let rows: String = Self::history_json_query(filter)
                    .build_query_scalar()
                    .fetch_one(&self.local)
                    .await?;
                serde_json::from_str(&rows).map_err(|e| StoreError::Corrupt(e.to_string()))?
            }
            // Every attempt (the command line's history): row by row, as one string of them
            // all could outgrow the longest value SQLite makes.
            _ => Self::history_query(filter)
                .build()
                .fetch_all(&self.local)
                .await?
                .iter()
                .map(HistoryColumns::from_row)
                .collect::<Result<_>>()?,
        };
        rows.into_iter()
            .map(|row| {
                let currency = Currency::parse(&row.currency)
                    .map_err(|e| StoreError::Corrupt(e.to_string()))?;
                Ok(HistoryRow {
                    attempt_id: row.id,
                    order_no: row.order_no,
                    profile: row.profile,
                    gateway: row.gateway,
                    channel: row.channel,
                    state: AttemptState::parse(&row.state)
                        .ok_or_else(|| StoreError::Corrupt(row.state.clone()))?,
                    amount: Money::from_minor(row.amount_minor, currency).to_decimal_string(),
                    currency: row.currency,
                    idempotency_key: row.idempotency_key,
                    gateway_ref: row.gateway_ref,
                    pay_url: row.pay_url,
                    error_code: row.error_code,
                    error_message: row.error_message,
                    created_at: row.created_at,
                    updated_at: row.updated_at,
                })
            })
            .collect()
    }
}

/// The largest history page read as one row of JSON.
const HISTORY_PAGE_AS_JSON: i64 = 1000;

/// The columns of [`Store::history_query`], in order (a JSON array is read in field order).
#[derive(serde::Deserialize)]
struct HistoryColumns {
    id: i64,
    order_no: String,
    profile: String,
    gateway: String,
    channel: String,
    state: String,
    amount_minor: i64,
    currency: String,
    idempotency_key: String,
    gateway_ref: Option<String>,
    pay_url: Option<String>,
    error_code: Option<String>,
    error_message: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl HistoryColumns {
    fn from_row(row: &SqliteRow) -> Result<HistoryColumns> {
        Ok(HistoryColumns {
            id: row.try_get("id")?,
            order_no: row.try_get("order_no")?,
            profile: row.try_get("profile")?,
            gateway: row.try_get("gateway")?,
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
        })
    }
}
