//! An attempt's and an order's columns as stored, read from a row or, many at once, from one
//! row of JSON per statement. sqlx hands each SQLite row over from its database thread on its
//! own (about 8 µs a row, and each column is then looked up by name): a settling pass over
//! 10,000 attempts spent more time there than in its SQL. For many rows the database writes
//! them as one JSON text ([`Dialect::JSON_ROWS`]) instead, read into the same columns.

use paydesk_gateways::{Currency, Money};
use serde::Deserialize;
use sqlx::Row as _;

use super::{corrupt_state, push_in, Conn, Db, Row, CHUNK_ROWS};
use crate::domain::{Attempt, AttemptState, OrderView};
use crate::store::dialect::Dialect;
use crate::store::{json_map, Result, StoreError};

/// The columns of `attempts` that make an [`Attempt`], in [`AttemptColumns`]' order.
const ATTEMPT_COLUMNS: &str = "id, order_id, channel, state, idempotency_key, amount_minor, \
    gateway_ref, pay_url, error_code, error_message, deductions, coupon, credit_minor, checks, \
    resends, contested, gateway_deduction_minor, payable_until, customer_ref, \
    subscription_refunds, sent_at, sender_timeout_ms, sender, sender_process, desk, operator, \
    db_role, created_at, updated_at";

/// An attempt's row as stored (a JSON array is read in field order).
#[derive(Deserialize)]
pub(super) struct AttemptColumns {
    pub id: i64,
    pub order_id: i64,
    pub channel: String,
    pub state: String,
    pub idempotency_key: String,
    pub amount_minor: i64,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub deductions: String,
    pub coupon: Option<String>,
    pub credit_minor: Option<i64>,
    pub checks: i64,
    pub resends: i64,
    pub contested: Option<String>,
    pub gateway_deduction_minor: Option<i64>,
    pub payable_until: Option<i64>,
    pub customer_ref: Option<String>,
    pub subscription_refunds: String,
    pub sent_at: Option<i64>,
    pub sender_timeout_ms: Option<i64>,
    pub sender: Option<String>,
    pub sender_process: Option<String>,
    pub desk: String,
    pub operator: String,
    pub db_role: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
}

impl AttemptColumns {
    pub(super) fn from_row(row: &Row) -> Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            order_id: row.try_get("order_id")?,
            channel: row.try_get("channel")?,
            state: row.try_get("state")?,
            idempotency_key: row.try_get("idempotency_key")?,
            amount_minor: row.try_get("amount_minor")?,
            gateway_ref: row.try_get("gateway_ref")?,
            pay_url: row.try_get("pay_url")?,
            error_code: row.try_get("error_code")?,
            error_message: row.try_get("error_message")?,
            deductions: row.try_get("deductions")?,
            coupon: row.try_get("coupon")?,
            credit_minor: row.try_get("credit_minor")?,
            checks: row.try_get("checks")?,
            resends: row.try_get("resends")?,
            contested: row.try_get("contested")?,
            gateway_deduction_minor: row.try_get("gateway_deduction_minor")?,
            payable_until: row.try_get("payable_until")?,
            customer_ref: row.try_get("customer_ref")?,
            subscription_refunds: row.try_get("subscription_refunds")?,
            sent_at: row.try_get("sent_at")?,
            sender_timeout_ms: row.try_get("sender_timeout_ms")?,
            sender: row.try_get("sender")?,
            sender_process: row.try_get("sender_process")?,
            desk: row.try_get("desk")?,
            operator: row.try_get("operator")?,
            db_role: row.try_get("db_role")?,
            created_at: row.try_get("created_at")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl TryFrom<AttemptColumns> for Attempt {
    type Error = StoreError;

    fn try_from(row: AttemptColumns) -> Result<Self> {
        Ok(Attempt {
            id: row.id,
            order_id: row.order_id,
            channel: row.channel,
            state: AttemptState::parse(&row.state).ok_or_else(|| corrupt_state(&row.state))?,
            idempotency_key: row.idempotency_key,
            amount_minor: row.amount_minor,
            gateway_ref: row.gateway_ref,
            pay_url: row.pay_url,
            error_code: row.error_code,
            error_message: row.error_message,
            deductions: row.deductions,
            coupon: row.coupon,
            credit_minor: row.credit_minor,
            checks: row.checks,
            resends: row.resends,
            contested: row.contested,
            gateway_deduction_minor: row.gateway_deduction_minor,
            payable_until: row.payable_until,
            customer_ref: row.customer_ref,
            subscription_refunds: row.subscription_refunds,
            sent_at: row.sent_at,
            sender_timeout_ms: row.sender_timeout_ms,
            sender: row.sender,
            sender_process: row.sender_process,
            desk: row.desk,
            operator: row.operator,
            db_role: row.db_role,
            created_at: row.created_at,
            updated_at: row.updated_at,
        })
    }
}

/// The columns [`super::orders::ORDER_VIEW`] selects, in [`OrderColumns`]' order.
const ORDER_COLUMNS: &str = "id, order_no, amount_minor, currency, subject, attributes, \
    created_at, revision, cancelled_at, cancel_note, profile, gateway, is_sandbox, state, \
    channel, updated_at";

/// An order's row as [`super::orders::ORDER_VIEW`] reads it.
#[derive(Deserialize)]
pub(super) struct OrderColumns {
    pub id: i64,
    pub order_no: String,
    pub amount_minor: i64,
    pub currency: String,
    pub subject: String,
    pub attributes: String,
    pub created_at: i64,
    pub revision: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_note: Option<String>,
    pub profile: String,
    pub gateway: String,
    #[serde(deserialize_with = "flag")]
    pub is_sandbox: bool,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub updated_at: i64,
}

impl OrderColumns {
    pub(super) fn from_row(row: &Row) -> Result<Self> {
        Ok(Self {
            id: row.try_get("id")?,
            order_no: row.try_get("order_no")?,
            amount_minor: row.try_get("amount_minor")?,
            currency: row.try_get("currency")?,
            subject: row.try_get("subject")?,
            attributes: row.try_get("attributes")?,
            created_at: row.try_get("created_at")?,
            revision: row.try_get("revision")?,
            cancelled_at: row.try_get("cancelled_at")?,
            cancel_note: row.try_get("cancel_note")?,
            profile: row.try_get("profile")?,
            gateway: row.try_get("gateway")?,
            is_sandbox: row.try_get("is_sandbox")?,
            state: row.try_get("state")?,
            channel: row.try_get("channel")?,
            updated_at: row.try_get("updated_at")?,
        })
    }
}

impl TryFrom<OrderColumns> for OrderView {
    type Error = StoreError;

    fn try_from(row: OrderColumns) -> Result<Self> {
        let currency =
            Currency::parse(&row.currency).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        Ok(OrderView {
            id: row.id,
            order_no: row.order_no,
            profile: row.profile,
            gateway: row.gateway,
            is_sandbox: row.is_sandbox,
            amount_minor: row.amount_minor,
            amount: Money::from_minor(row.amount_minor, currency).to_decimal_string(),
            currency: row.currency,
            subject: row.subject,
            attributes: json_map(&row.attributes)?,
            state: row
                .state
                .map(|s| AttemptState::parse(&s).ok_or_else(|| corrupt_state(&s)))
                .transpose()?,
            channel: row.channel,
            created_at: row.created_at,
            updated_at: row.updated_at,
            revision: row.revision,
            cancelled_at: row.cancelled_at,
            cancel_note: row.cancel_note,
        })
    }
}

/// A boolean column: SQLite's JSON writes it as 0 or 1, PostgreSQL's as false or true.
fn flag<'de, D: serde::Deserializer<'de>>(value: D) -> std::result::Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Bool(bool),
        Int(i64),
    }
    Ok(match Flag::deserialize(value)? {
        Flag::Bool(b) => b,
        Flag::Int(i) => i != 0,
    })
}

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
    json_of(ATTEMPT_COLUMNS)
}

pub(in crate::store) async fn read_attempts(
    conn: &mut Conn,
    query: sqlx::QueryBuilder<'_, Db>,
) -> Result<Vec<Attempt>> {
    read::<AttemptColumns>(conn, query)
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
    pub(in crate::store) fn push_carried<'args>(&self, query: &mut sqlx::QueryBuilder<'args, Db>)
    where
        Self: 'args,
    {
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
        let mut query = json_of(ORDER_COLUMNS);
        query.push(super::orders::ORDER_VIEW).push(" WHERE ");
        push_in(&mut query, "o.id", chunk.iter().copied());
        for row in read::<OrderColumns>(conn, query).await? {
            orders.push(OrderView::try_from(row)?);
        }
    }
    Ok(orders)
}
