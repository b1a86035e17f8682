//! The journal's tables row for row, every column that travels between a desk's file and the
//! shared store: what moving a standalone history in and the desk's copy of the shared
//! history read and write. The claims (a lease of one store's reconcilers) stay behind; the
//! role a row came through is copied into the desk's copy, never written to the server (which
//! sets it).

use sqlx::FromRow;

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

#[derive(Debug, Clone, FromRow)]
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
    pub db_role: Option<String>,
    pub created_at: i64,
    pub updated_at: i64,
    pub payable_until: Option<i64>,
    pub customer_ref: Option<String>,
    pub subscription_refunds: String,
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
