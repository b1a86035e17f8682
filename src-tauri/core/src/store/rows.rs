//! The journal's tables row for row, every column that travels between a desk's file and the
//! shared store: what moving a standalone history in and the desk's copy of the shared
//! history read and write. The claims (a lease of one store's reconcilers) stay behind; the
//! role a row came through is copied into the desk's copy, never written to the server (which
//! sets it).

use paydesk_gateways::{Currency, Money};
use serde::Deserialize;
use sqlx::FromRow;

use super::{Result, StoreError};
use crate::domain::{Attempt, AttemptState, OrderView};

#[derive(Debug, Clone, FromRow)]
pub(super) struct ProfileRow {
    pub id: i64,
    pub name: String,
    pub gateway: String,
    pub base_url: String,
    pub settings: String,
    pub is_sandbox: bool,
    pub vault_id: String,
    pub created_at: i64,
}

#[derive(Debug, Clone, FromRow)]
pub(super) struct OrderRow {
    pub id: i64,
    pub order_no: String,
    pub profile_id: i64,
    pub amount_minor: i64,
    pub currency: String,
    pub subject: String,
    pub attributes: String,
    pub created_at: i64,
    pub revision: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_note: Option<String>,
    pub changes: String,
}

/// The order columns after `currency, subject, attributes, created_at` that an edit or a
/// cancellation writes.
pub(super) const ORDER_CHANGE_COLUMNS: &str = "revision, cancelled_at, cancel_note, changes";

/// An attempt's row; also read from JSON, as an array in field order: `id`,
/// [`ATTEMPT_COLUMNS`], `db_role`.
#[derive(Debug, Clone, FromRow, Deserialize)]
pub(super) struct AttemptRow {
    pub id: i64,
    pub order_id: i64,
    pub channel: String,
    pub state: String,
    pub idempotency_key: String,
    pub amount_minor: i64,
    pub deductions: String,
    pub coupon: Option<String>,
    pub credit_minor: Option<i64>,
    pub gateway_deduction_minor: Option<i64>,
    pub gateway_ref: Option<String>,
    pub pay_url: Option<String>,
    pub error_code: Option<String>,
    pub error_message: Option<String>,
    pub checks: i64,
    pub next_check_at: Option<i64>,
    pub resends: i64,
    pub contested: Option<String>,
    pub sender: Option<String>,
    pub sender_process: Option<String>,
    pub sender_timeout_ms: Option<i64>,
    pub sent_at: Option<i64>,
    pub desk: String,
    pub operator: String,
    pub created_at: i64,
    pub updated_at: i64,
    pub payable_until: Option<i64>,
    pub customer_ref: Option<String>,
    pub subscription_refunds: String,
    pub db_role: Option<String>,
}

impl TryFrom<AttemptRow> for Attempt {
    type Error = StoreError;

    fn try_from(row: AttemptRow) -> Result<Self> {
        Ok(Attempt {
            state: AttemptState::parse(&row.state).ok_or_else(|| {
                StoreError::Corrupt(format!("attempt {}: state {:?}", row.id, row.state))
            })?,
            id: row.id,
            order_id: row.order_id,
            channel: row.channel,
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

/// An attempt's columns as [`AttemptRow`] lists them, less its id.
pub(super) const ATTEMPT_COLUMNS: &str =
    "order_id, channel, state, idempotency_key, amount_minor, \
    deductions, coupon, credit_minor, gateway_deduction_minor, gateway_ref, pay_url, error_code, \
    error_message, checks, next_check_at, resends, contested, sender, sender_process, \
    sender_timeout_ms, sent_at, desk, operator, created_at, updated_at, payable_until, customer_ref, \
    subscription_refunds";

/// Binds an attempt's [`ATTEMPT_COLUMNS`] onto one row of a `push_values`, in their order,
/// with `order_id` for the id its order has in the store written to.
macro_rules! push_attempt_columns {
    ($row:expr, $a:expr, $order_id:expr) => {
        $row.push_bind($order_id)
            .push_bind(&$a.channel)
            .push_bind(&$a.state)
            .push_bind(&$a.idempotency_key)
            .push_bind($a.amount_minor)
            .push_bind(&$a.deductions)
            .push_bind(&$a.coupon)
            .push_bind($a.credit_minor)
            .push_bind($a.gateway_deduction_minor)
            .push_bind(&$a.gateway_ref)
            .push_bind(&$a.pay_url)
            .push_bind(&$a.error_code)
            .push_bind(&$a.error_message)
            .push_bind($a.checks)
            .push_bind($a.next_check_at)
            .push_bind($a.resends)
            .push_bind(&$a.contested)
            .push_bind(&$a.sender)
            .push_bind(&$a.sender_process)
            .push_bind($a.sender_timeout_ms)
            .push_bind($a.sent_at)
            .push_bind(&$a.desk)
            .push_bind(&$a.operator)
            .push_bind($a.created_at)
            .push_bind($a.updated_at)
            .push_bind($a.payable_until)
            .push_bind(&$a.customer_ref)
            .push_bind(&$a.subscription_refunds)
    };
}
pub(super) use push_attempt_columns;

#[derive(Debug, Clone, FromRow)]
pub(super) struct EventRow {
    pub id: i64,
    pub attempt_id: i64,
    pub state: String,
    pub detail: Option<String>,
    pub at: i64,
    pub desk: String,
    pub operator: String,
    pub db_role: Option<String>,
}

#[derive(Debug, Clone, FromRow)]
pub(super) struct ReviewRow {
    pub id: i64,
    pub attempt_id: i64,
    pub decision: String,
    pub note: String,
    pub at: i64,
    pub desk: String,
    pub operator: String,
    pub db_role: Option<String>,
}

/// An order as the console shows it: its row, its profile's name, gateway and sandbox flag, and
/// its latest attempt's state and channel. Also read from JSON, as an array in field order
/// ([`ORDER_VIEW_COLUMNS`]).
#[derive(Debug, Clone, FromRow, Deserialize)]
pub(crate) struct OrderViewRow {
    pub id: i64,
    pub order_no: String,
    pub amount_minor: i64,
    pub currency: String,
    pub subject: String,
    pub attributes: String,
    pub created_at: i64,
    pub profile: String,
    pub gateway: String,
    #[serde(deserialize_with = "flag")]
    pub is_sandbox: bool,
    pub state: Option<String>,
    pub channel: Option<String>,
    pub updated_at: i64,
    pub revision: i64,
    pub cancelled_at: Option<i64>,
    pub cancel_note: Option<String>,
}

/// [`OrderViewRow`]'s columns in its order, named as the order view's query names them.
pub(crate) const ORDER_VIEW_COLUMNS: &str = "id, order_no, amount_minor, currency, subject, \
    attributes, created_at, profile, gateway, is_sandbox, state, channel, updated_at, revision, \
    cancelled_at, cancel_note";

impl TryFrom<OrderViewRow> for OrderView {
    type Error = StoreError;

    fn try_from(row: OrderViewRow) -> Result<Self> {
        // Named, so support can find the row that will not read.
        let named = format!("order {}", crate::input_rules::shown(&row.order_no));
        let corrupt = |why: String| StoreError::Corrupt(format!("{named}: {why}"));
        let currency = Currency::parse(&row.currency).map_err(|e| corrupt(e.to_string()))?;
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
            attributes: serde_json::from_str(&row.attributes)
                .map_err(|e| corrupt(e.to_string()))?,
            state: row
                .state
                .map(|s| AttemptState::parse(&s).ok_or_else(|| corrupt(format!("state {s:?}"))))
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

/// A yes/no as a database's JSON writes it: SQLite's 0 or 1, PostgreSQL's false or true.
pub(super) fn flag<'de, D: serde::Deserializer<'de>>(
    value: D,
) -> std::result::Result<bool, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Flag {
        Number(i64),
        Bool(bool),
    }
    Ok(match Flag::deserialize(value)? {
        Flag::Number(n) => n != 0,
        Flag::Bool(b) => b,
    })
}
